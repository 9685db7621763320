"""Figures of the rejections page: the Pareto of reason categories (the page's other charts
are common.horizontal_bars and common.stacked_over_time)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboards.figures.common import BOTTOM_LEGEND, layout
from dashboards.safe_text import plot_frame


def pareto(frame: pd.DataFrame, label: str = "reason_category") -> go.Figure:
    """Bars of rejected leads per category, largest first, and the cumulative share (line)."""
    frame = plot_frame(frame)
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_bar(
        x=frame[label],
        y=frame["rejected"],
        name="rejected leads",
        marker_color="#c62828",
        customdata=frame[["share"]],
        secondary_y=False,
        hovertemplate="%{x}: %{y:,} rejected (%{customdata[0]:.1%})<extra></extra>",
    )
    fig.add_scatter(
        x=frame[label],
        y=frame["cumulative_share"],
        name="cumulative share",
        mode="lines+markers",
        line={"color": "#212121"},
        secondary_y=True,
        hovertemplate="up to %{x}: %{y:.1%}<extra></extra>",
    )
    fig.update_yaxes(title_text="rejected leads", secondary_y=False)
    fig.update_yaxes(
        title_text="cumulative share",
        tickformat=".0%",
        range=[0, 1.05],
        tickmode="array",
        tickvals=[0, 0.25, 0.5, 0.75, 1],
        showgrid=False,
        secondary_y=True,
    )
    fig.update_xaxes(categoryorder="array", categoryarray=list(frame[label]))
    return layout(fig, "Rejections by reason category (Pareto)", legend=BOTTOM_LEGEND)
