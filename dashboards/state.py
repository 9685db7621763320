"""Streamlit glue shared by the pages: cached queries keyed on the serving version, filters."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from dashboards import serving
from dashboards.queries import Filters

FILTERS_KEY = "filters"


@st.cache_data(show_spinner=False, max_entries=256)
def _cached(query_name: str, version: str, filters: Filters) -> pd.DataFrame:
    from dashboards import queries

    fn: Callable = getattr(queries, query_name)
    with serving.connect() as con:
        return fn(con, filters)


def run_query(query: Callable, filters: Filters) -> pd.DataFrame:
    """Run a query function from dashboards.queries, cached until the next publish."""
    version = serving.version() or "none"
    return _cached(query.__name__, version, filters)


def current_filters() -> Filters:
    return st.session_state.get(FILTERS_KEY, Filters())


def require_serving() -> bool:
    """Explain, in plain words, why there is nothing to show; True when data is there."""
    path = serving.serving_path()
    if not path.exists():
        st.info(
            f"No published data yet: the serving file `{path}` does not exist. "
            "Build the warehouse first with `make build` (or `leadwh build`), then reload this page."
        )
        return False
    return True
