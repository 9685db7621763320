"""Figures of the source quality page: small multiples per source, return rates."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboards.figures.common import bar_height, detailed_bars, layout
from dashboards.safe_text import plot_frame


def small_multiples(
    daily: pd.DataFrame, metric: str, title: str, *, columns: int = 4, percent: bool = True
) -> go.Figure:
    """One small line chart per source (same axes), sources in name order."""
    daily = plot_frame(daily)
    sources = sorted(daily["source"].unique())
    if not sources:
        return layout(go.Figure(), title)
    rows = -(-len(sources) // columns)
    fig = make_subplots(
        rows=rows,
        cols=columns,
        subplot_titles=sources,
        shared_xaxes=True,
        shared_yaxes=True,
        vertical_spacing=0.5 / max(rows, 1) / 2 + 0.02,
        horizontal_spacing=0.03,
    )
    for i, source in enumerate(sources):
        part = daily[daily["source"] == source]
        fig.add_scatter(
            x=part["day"],
            y=part[metric],
            mode="lines+markers",
            name=source,
            showlegend=False,
            line={"color": "#1565c0"},
            marker={"size": 4},
            hovertemplate="%{fullData.name} %{x|%Y-%m-%d}: %{y"
            + (":.1%" if percent else ":,.2f")
            + "}<extra></extra>",
            row=i // columns + 1,
            col=i % columns + 1,
        )
    fig.update_yaxes(matches="y")
    if percent:
        fig.update_yaxes(tickformat=".0%", rangemode="tozero")
    fig.update_xaxes(showticklabels=False)
    fig.update_annotations(font_size=11)
    return layout(fig, title, height=max(300, 130 * rows + 80))


def source_returns(scorecard: pd.DataFrame) -> go.Figure:
    """Return rate per source and flow, highest on top, sized by sold leads in the hover."""
    rows = plot_frame(scorecard)
    rows = rows.assign(label=rows["source"] + " · " + rows["flow"])
    rows = rows.sort_values("return_rate")
    fig = detailed_bars(
        rows,
        "label",
        "return_rate",
        "#6a1b9a",
        rows[["returned", "sold_leads"]],
        "%{y}: %{x:.1%} returned (%{customdata[0]:,} of %{customdata[1]:,} sold)<extra></extra>",
    )
    return layout(
        fig,
        "Return rate by source (returned / sold leads)",
        xaxis={"tickformat": ".0%", "title": "return rate"},
        height=bar_height(len(rows), per_row=22),
    )
