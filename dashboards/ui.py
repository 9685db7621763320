"""Small display helpers shared by the pages: charts and tables with their CSV download, plain
empty states, number formats. Streamlit only; no SQL here."""

from __future__ import annotations

import math
import re

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboards.queries import Filters
from ingest.serving.spreadsheet import safe_frame

NO_MATCH = (
    "Nothing matches these filters. Widen the date range or clear the flow and source filters"
    " in the sidebar."
)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_").lower()


def csv_name(name: str, filters: Filters | None) -> str:
    suffix = f"_{filters.describe()}" if filters is not None else ""
    return f"{_slug(name)}{suffix}.csv"


def _csv(frame: pd.DataFrame) -> str:
    # list columns (sparklines) become readable text; text a spreadsheet would run is escaped
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object and len(out) and _is_listy(out[column].iloc[0]):
            out[column] = out[column].map(lambda v: " ".join(f"{x:.4g}" for x in v))
    return safe_frame(out).to_csv(index=False)


def _is_listy(value) -> bool:
    return hasattr(value, "__len__") and not isinstance(value, str | bytes | dict)


def download(frame: pd.DataFrame, name: str, filters: Filters | None, label: str = "") -> None:
    """A CSV download of exactly the rows behind a chart or table."""
    st.download_button(
        f"Download {label or name} (CSV)",
        _csv(frame),
        csv_name(name, filters),
        "text/csv",
        key=f"download_{_slug(name)}",
        on_click="ignore",
        icon=":material/download:",
    )


def chart(fig: go.Figure, frame: pd.DataFrame, name: str, filters: Filters | None) -> None:
    """A Plotly chart and, under it, the CSV of its data."""
    st.plotly_chart(fig, width="stretch", key=f"chart_{_slug(name)}")
    download(frame, name, filters, "chart data")


def table(
    frame: pd.DataFrame,
    name: str,
    filters: Filters | None,
    column_config: dict | None = None,
    **options,
) -> None:
    """A sortable table and its CSV."""
    st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        column_config=column_config,
        key=f"table_{_slug(name)}",
        **options,
    )
    download(frame, name, filters, "table")


def choose(label: str, options: dict, default, key: str, help: str | None = None):
    """A segmented control over `options` (value -> its label) that always has a value:
    `default` until the user picks another."""
    picked = st.segmented_control(
        label,
        list(options),
        format_func=options.get,
        default=default,
        required=True,
        key=key,
        help=help,
    )
    return default if picked is None else picked


def percent_column(label: str | None = None, **options):
    """A table column of rates, shown as percentages."""
    return st.column_config.NumberColumn(label, format="percent", **options)


def dollar_column(label: str | None = None, **options):
    """A table column of money, shown in dollars."""
    return st.column_config.NumberColumn(label, format="dollar", **options)


def nothing_matches(frame: pd.DataFrame, message: str = NO_MATCH) -> bool:
    """Say so plainly when a result is empty; True when it is."""
    if frame is None or frame.empty:
        st.info(message)
        return True
    return False


def _finite(value) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def count(value) -> str:
    return f"{int(value):,}" if _finite(value) else "n/a"


def percent(value) -> str:
    return f"{value:.1%}" if _finite(value) else "n/a"


def money(value) -> str:
    if not _finite(value):
        return "n/a"
    sign = "-" if value < 0 else ""
    return f"{sign}${abs(value):,.0f}" if abs(value) >= 1000 else f"{sign}${abs(value):,.2f}"


def change(current, previous, kind: str) -> str | None:
    """The change against the previous period, as text for st.metric's delta (None when there
    is nothing to compare with)."""
    if not (_finite(current) and _finite(previous)):
        return None
    if kind == "rate":
        return f"{(current - previous) * 100:+.1f} pts"
    if previous == 0:
        return None
    return f"{(current - previous) / abs(previous):+.1%}"


def elapsed(delta) -> str:
    """A time since the first event, as a person reads it: +0.372 s, +11 min 9 s, +4 d 15 h."""
    seconds = delta.total_seconds()
    if seconds < 60:
        return f"+{seconds:.3f} s"
    if seconds < 3600:
        return f"+{int(seconds // 60)} min {int(seconds % 60)} s"
    if seconds < 86400:
        return f"+{int(seconds // 3600)} h {int(seconds % 3600 // 60)} min"
    return f"+{int(seconds // 86400)} d {int(seconds % 86400 // 3600)} h"
