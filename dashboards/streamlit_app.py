"""LeadWarehouse dashboards: the entry file (page config, shared filters, navigation).

The sidebar filters (date range, flows, sources) are bound to the URL's query string
(``?dates=2026-10-26&dates=2026-11-01&source=...``), so a view can be shared as a link; they
are written back on every run, so they stay in the URL when switching pages
(``dashboards.url_state``).
"""

from __future__ import annotations

from datetime import timedelta

import duckdb
import streamlit as st

from dashboards import queries, serving, url_state
from dashboards.state import FILTERS_KEY, run_lookup

st.set_page_config(page_title="LeadWarehouse", page_icon=":bar_chart:", layout="wide")

DEFAULT_DAYS = 7  # the default date range: the last week of published data
SEEDED_KEY = "_filters_from_url"  # set once the session has read the filters of its first URL


def sidebar_filters() -> None:
    """Date range, flow and source; kept in the URL so a view can be shared as a link."""
    version = serving.version()
    options = run_lookup(queries.filter_options)
    if options["min_date"] is None:
        return  # the pages say why
    lo, hi = options["min_date"], options["max_date"]
    choices = url_state.Choices(
        lo=lo,
        hi=hi,
        flows=options["flows"],
        sources=options["sources"],
        default_dates=(max(lo, hi - timedelta(days=DEFAULT_DAYS - 1)), hi),
    )
    state = st.session_state
    if not state.get(SEEDED_KEY):  # a new session: the filters of the link it was opened with
        params = {key: st.query_params.get_all(key) for key in url_state.URL_KEYS}
        state.update(url_state.from_url(params, choices))
        state[SEEDED_KEY] = True
    # values the published data no longer has (after a rebuild) are dropped before drawing
    if not (isinstance(state.get(url_state.DATES), tuple) and len(state[url_state.DATES]) == 1):
        state[url_state.DATES] = url_state.clamp_dates(state.get(url_state.DATES), choices)
    state[url_state.FLOWS] = url_state.known(state.get(url_state.FLOWS), choices.flows)
    state[url_state.SOURCES] = url_state.known(state.get(url_state.SOURCES), choices.sources)

    st.sidebar.header("Filters")
    picked = st.sidebar.date_input(
        "Submitted between (UTC)",
        min_value=lo,
        max_value=hi,
        key=url_state.DATES,
        help=f"Published data covers {lo} to {hi}.",
    )
    start, end = picked if isinstance(picked, tuple) and len(picked) == 2 else (lo, hi)
    flows = st.sidebar.multiselect(
        "Flows", options["flows"], key=url_state.FLOWS, placeholder="All flows"
    )
    sources = st.sidebar.multiselect(
        "Sources", options["sources"], key=url_state.SOURCES, placeholder="All sources"
    )
    state[FILTERS_KEY] = queries.Filters(start, end, tuple(flows), tuple(sources))
    write_filters_to_url(url_state.to_url(state, choices))
    st.sidebar.caption(
        f"Published data: {lo} to {hi} · version `{version}`. "
        "The URL keeps these filters: copy it to share this view."
    )


def write_filters_to_url(wanted: dict[str, list[str] | None]) -> None:
    """Put the filters in the URL on every run, even when the server believes they are there: a
    page change through the sidebar starts the new page with an empty query string in the
    browser, whatever the server was told, and this puts them back before the page draws."""
    for key, values in wanted.items():
        if values:
            st.query_params[key] = values
        elif values is not None and key in st.query_params:
            del st.query_params[key]


#: The pages after the overview, in the sidebar's order: name (the file app_pages/<name>.py and
#: the URL path), title and Material icon.
PAGES = [
    ("acceptance", "Acceptance patterns", "check_circle"),
    ("rejections", "Rejections", "block"),
    ("delivery", "Delivery", "local_shipping"),
    ("sources", "Source quality", "star_half"),
    ("quality", "Lead quality", "verified"),
    ("commerce", "Buyers & suppliers", "handshake"),
    ("lookup", "Lead lookup", "search"),
    ("sql", "SQL", "terminal"),
]
pages = [
    st.Page("app_pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
    *(
        st.Page(f"app_pages/{name}.py", title=title, icon=f":material/{icon}:", url_path=name)
        for name, title, icon in PAGES
    ),
]
page = st.navigation(pages)
if serving.version() is not None:
    sidebar_filters()  # each page explains a missing serving file itself
try:
    page.run()
except duckdb.CatalogException as error:
    st.error(
        "The serving file lacks a table or column this page reads, so it was probably published"
        " by an older version of the pipeline. Rebuild it with `make build` and reload."
        f"\n\nDetails: {error}"
    )
except duckdb.IOException as error:
    st.error(
        "The serving file could not be read (it may have been replaced while this page was"
        f" loading). Reload the page.\n\nDetails: {error}"
    )
