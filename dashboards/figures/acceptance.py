"""Figures of the acceptance page: outcomes over time and by source or flow, the acceptance
heatmaps by hour of day."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboards.figures.common import (
    OUTCOME_COLORS,
    RATE_SCALE,
    WEEK_ORDER,
    WEEKDAYS,
    bar_height,
    layout,
)
from dashboards.safe_text import plot_frame


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
    return outcomes_by_group(by_source, "source", "Accepted vs rejected by source")


def outcomes_by_group(frame: pd.DataFrame, group: str, title: str) -> go.Figure:
    """Horizontal stacked bars of outcomes per group (source, flow), the largest on top, with
    the acceptance rate in the hover."""
    ordered = plot_frame(frame).sort_values("leads")
    fig = go.Figure()
    for outcome, color in OUTCOME_COLORS.items():
        fig.add_bar(
            y=ordered[group],
            x=ordered[outcome],
            name=outcome,
            marker_color=color,
            orientation="h",
            customdata=ordered[["acceptance_rate"]],
            hovertemplate="%{y}: %{x:,} " + outcome + " (acceptance %{customdata[0]:.1%})"
            "<extra></extra>",
        )
    return layout(fig, title, barmode="stack", xaxis_title="leads", height=bar_height(len(ordered)))


def acceptance_over_time_by_flow(daily: pd.DataFrame) -> go.Figure:
    """One line per flow: the acceptance rate per day."""
    fig = go.Figure()
    for flow, rows in plot_frame(daily).groupby("flow", sort=True):
        fig.add_scatter(
            x=rows["day"],
            y=rows["acceptance_rate"],
            name=str(flow),
            mode="lines+markers",
            customdata=rows[["leads"]],
            hovertemplate="%{x|%Y-%m-%d}: %{y:.1%} of %{customdata[0]:,} leads",
        )
    return layout(
        fig,
        "Acceptance rate per day by flow",
        xaxis_title="day of submission (UTC)",
        yaxis={"title": "acceptance rate", "tickformat": ".0%", "rangemode": "tozero"},
        legend_title="flow",
    )


def _clock_label(clock: str) -> str:
    return "the lead's local time" if clock == "local" else "UTC"


def _hour_heatmap(
    rate: pd.DataFrame,
    leads: pd.DataFrame,
    rows: list,
    at: str,
    title: str,
    clock: str,
    height: int,
) -> go.Figure:
    """Acceptance rate per row (`rows`, top first) x hour of day (columns 0-23), with the leads
    behind each cell in the hover (`at` joins the row and the hour there: " ", " at ")."""
    fig = go.Figure(
        go.Heatmap(
            z=rate.to_numpy(),
            x=list(range(24)),
            y=rows,
            customdata=leads.to_numpy(),
            colorscale=RATE_SCALE,
            zmin=0,
            zmax=1,
            colorbar={"title": "accepted", "tickformat": ".0%"},
            hovertemplate="%{y}" + at + "%{x}:00 — %{z:.1%} accepted of %{customdata:,.0f} leads"
            "<extra></extra>",
            xgap=1,
            ygap=1,
        )
    )
    return layout(
        fig,
        f"{title} ({_clock_label(clock)})",
        xaxis={"title": f"hour of day ({_clock_label(clock)})", "dtick": 1},
        yaxis={"autorange": "reversed"},
        height=height,
    )


def acceptance_heatmap(grid: pd.DataFrame, clock: str = "local") -> go.Figure:
    """Acceptance rate by weekday (rows, Monday on top) x hour of day (columns)."""
    rate = grid.pivot_table(index="weekday", columns="hour", values="acceptance_rate")
    leads = grid.pivot_table(index="weekday", columns="hour", values="leads", aggfunc="sum")
    rate = rate.reindex(index=WEEK_ORDER, columns=range(24))
    leads = leads.reindex(index=WEEK_ORDER, columns=range(24)).fillna(0)
    weekdays = [WEEKDAYS[d] for d in WEEK_ORDER]
    title = "Acceptance rate by hour of day and weekday"
    return _hour_heatmap(rate, leads, weekdays, " ", title, clock, height=360)


def source_hour_heatmap(frame: pd.DataFrame, clock: str = "utc", min_leads: int = 3) -> go.Figure:
    """Acceptance rate per source (rows) x hour of day (columns): a source whose leads are
    rejected at certain hours shows as a red band. Cells with fewer than `min_leads` leads are
    left blank (too few to read a rate from)."""
    frame = plot_frame(frame)
    rate = frame.pivot_table(index="source", columns="hour", values="acceptance_rate")
    leads = frame.pivot_table(index="source", columns="hour", values="leads", aggfunc="sum")
    rate = rate.reindex(columns=range(24))
    leads = leads.reindex(index=rate.index, columns=range(24)).fillna(0)
    rate = rate.where(leads >= min_leads)
    title = "Acceptance rate by source and hour of day"
    height = bar_height(len(rate), per_row=22)
    return _hour_heatmap(rate, leads, list(rate.index), " at ", title, clock, height)
