"""LeadWarehouse dashboards: the entry file (page config, shared filters, navigation)."""

from __future__ import annotations

from datetime import date

import streamlit as st

from dashboards import queries, serving
from dashboards.state import FILTERS_KEY, require_serving

st.set_page_config(page_title="LeadWarehouse", page_icon=":bar_chart:", layout="wide")


@st.cache_data(show_spinner=False)
def _options(version: str) -> dict:
    with serving.connect() as con:
        return queries.filter_options(con)


def _date_param(name: str, default: date) -> date:
    try:
        return date.fromisoformat(st.query_params.get(name, ""))
    except ValueError:
        return default


def sidebar_filters() -> None:
    """Date range, flow and source; kept in the URL so a view can be shared as a link."""
    version = serving.version()
    if version is None:
        return
    options = _options(version)
    if options["min_date"] is None:
        return
    lo, hi = options["min_date"], options["max_date"]
    st.sidebar.header("Filters")
    picked = st.sidebar.date_input(
        "Submitted between",
        value=(_date_param("start", lo), _date_param("end", hi)),
        min_value=lo,
        max_value=hi,
    )
    start, end = picked if isinstance(picked, tuple) and len(picked) == 2 else (lo, hi)
    flows = st.sidebar.multiselect(
        "Flows",
        options["flows"],
        default=[f for f in st.query_params.get_all("flow") if f in options["flows"]],
    )
    sources = st.sidebar.multiselect(
        "Sources",
        options["sources"],
        default=[s for s in st.query_params.get_all("source") if s in options["sources"]],
    )
    st.query_params.from_dict(
        {"start": start.isoformat(), "end": end.isoformat(), "flow": flows, "source": sources}
    )
    st.session_state[FILTERS_KEY] = queries.Filters(start, end, tuple(flows), tuple(sources))
    st.sidebar.caption(f"Serving version `{version}`")


pages = [
    st.Page(
        "app_pages/acceptance.py", title="Acceptance", icon=":material/check_circle:", default=True
    ),
]
page = st.navigation(pages)
if require_serving():
    sidebar_filters()
page.run()
