"""DataFrames -> Plotly figures. Pure functions; no Streamlit here."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

OUTCOME_COLORS = {"accepted": "#2e7d32", "rejected": "#c62828", "errored": "#f9a825"}


def outcomes_over_time(daily: pd.DataFrame) -> go.Figure:
    """Stacked bars of accepted / rejected / errored leads per day."""
    fig = go.Figure()
    for outcome, color in OUTCOME_COLORS.items():
        fig.add_bar(x=daily["day"], y=daily[outcome], name=outcome, marker_color=color)
    fig.update_layout(
        barmode="stack",
        title="Leads per day by outcome",
        xaxis_title="day of submission (UTC)",
        yaxis_title="leads",
        legend_title="outcome",
        margin={"t": 50, "b": 40},
    )
    return fig


def outcomes_by_source(by_source: pd.DataFrame) -> go.Figure:
    """Horizontal stacked bars per source, the largest source on top."""
    ordered = by_source.sort_values("leads")
    fig = go.Figure()
    for outcome, color in OUTCOME_COLORS.items():
        fig.add_bar(
            y=ordered["source"],
            x=ordered[outcome],
            name=outcome,
            marker_color=color,
            orientation="h",
        )
    fig.update_layout(
        barmode="stack",
        title="Accepted vs rejected by source",
        xaxis_title="leads",
        height=max(300, 24 * len(ordered) + 120),
        margin={"t": 50, "b": 40},
    )
    return fig
