"""Streamlit glue shared by the pages: cached queries keyed on the serving version, filters."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import streamlit as st

from dashboards import serving
from dashboards.queries import Filters

FILTERS_KEY = "filters"


@st.cache_data(show_spinner=False, max_entries=512)
def _cached(query_name: str, path: str, version: str, args: tuple, options: tuple) -> object:
    """One query function's result for one published version of one serving file.

    The version stamp is part of the key, so the first run after a publish misses the cache and
    reads the new file; the previous version's entries age out (max_entries).
    """
    from dashboards import queries

    fn: Callable = getattr(queries, query_name)
    with serving.connect(Path(path)) as con:
        return fn(con, *args, **dict(options))


def _call(query: Callable, *args, **options):
    path = serving.serving_path()
    version = serving.version(path) or "none"
    return _cached(query.__name__, str(path), version, args, tuple(sorted(options.items())))


def run_query(query: Callable, filters: Filters, **options) -> pd.DataFrame:
    """Run a query function from dashboards.queries, cached until the next publish."""
    return _call(query, filters, **options)


def run_lookup(query: Callable, *args, **options):
    """Run a lookup (lead id, search term) from dashboards.queries, cached until the next
    publish."""
    return _call(query, *args, **options)


def clear_cache() -> None:
    _cached.clear()


def current_filters() -> Filters:
    return st.session_state.get(FILTERS_KEY, Filters())


def require_serving(need_leads: bool = True) -> bool:
    """Explain, in plain words, why there is nothing to show; True when data is there."""
    path = serving.serving_path()
    if not path.exists():
        st.info(
            f"No published data yet: the serving file `{path}` does not exist. Build the"
            " warehouse first with `make build` (or `leadwh build`), then reload this page."
        )
        return False
    if serving.version(path) is None:
        st.info(
            f"The serving file `{path}` has no publish stamp (meta.publish_info): it was not"
            " written by `leadwh build`. Rebuild it with `make build`, then reload this page."
        )
        return False
    if need_leads and published_range()[0] is None:
        st.info(
            "The warehouse is built but holds no leads yet. Land lead events and submissions"
            " (see the README), run `make build` again, then reload this page."
        )
        return False
    return True


def published_range() -> tuple:
    """(first day, last day) of the published leads; (None, None) when there are none."""
    from dashboards import queries

    options = run_lookup(queries.filter_options)
    return options["min_date"], options["max_date"]
