"""Figures of the delivery page: outcome shares, the recipient x day heatmap, latency
percentiles, failure reasons and revenue by buyer."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboards.figures.common import (
    BAD_SCALE,
    BOTTOM_LEGEND,
    DELIVERY_COLORS,
    RATE_SCALE,
    bar_height,
    layout,
    stacked_bars,
    stacked_over_time,
)
from dashboards.safe_text import plot_frame

OUTCOME_COUNTS = {
    "success": "succeeded",
    "failure": "failed",
    "error": "errored",
    "skip": "skipped",
}


def outcome_shares(by_recipient: pd.DataFrame, title: str) -> go.Figure:
    """100 % stacked bars per recipient: success / failure / error / skip shares."""
    return stacked_bars(
        plot_frame(by_recipient).sort_values("success_rate"),
        "recipient",
        {f"{outcome}_rate": (outcome, color) for outcome, color in DELIVERY_COLORS.items()},
        title,
        ".1%",
        counts={
            f"{outcome}_rate": (count, "attempted") for outcome, count in OUTCOME_COUNTS.items()
        },
        xaxis={"tickformat": ".0%", "range": [0, 1]},
    )


def recipient_day_heatmap(daily: pd.DataFrame, outcome: str = "error") -> go.Figure:
    """Recipient (rows) x day (columns), colored by the share of one outcome (`success`,
    `failure`, `error`, `skip`) or by the p95 latency (`latency`): a buyer that errored for a
    whole day, or a slow step, is a bright cell."""
    latency = outcome == "latency"
    value = "latency_p95_ms" if latency else f"{outcome}_rate"
    daily = plot_frame(daily)
    z = daily.pivot_table(index="recipient", columns="day", values=value)
    attempted = (
        daily.pivot_table(index="recipient", columns="day", values="attempted", aggfunc="sum")
        .reindex_like(z)
        .fillna(0)
    )
    scale = RATE_SCALE if outcome == "success" else BAD_SCALE
    if latency:
        color = {"zmin": 0, "colorbar": {"title": "p95 ms"}}
        hover = "%{y} on %{x}: p95 %{z:,.0f} ms over %{customdata:,.0f} steps<extra></extra>"
        title = "p95 latency (first attempt) by recipient and day"
    else:
        color = {"zmin": 0, "zmax": 1, "colorbar": {"title": outcome, "tickformat": ".0%"}}
        hover = "%{y} on %{x}: %{z:.1%} " + outcome + " of %{customdata:,.0f}<extra></extra>"
        title = f"{outcome.capitalize()} rate by recipient and day"
    fig = go.Figure(
        go.Heatmap(
            z=z.to_numpy(),
            x=[pd.Timestamp(d).strftime("%Y-%m-%d") for d in z.columns],
            y=list(z.index),
            customdata=attempted.to_numpy(),
            colorscale=scale,
            hovertemplate=hover,
            xgap=1,
            ygap=1,
            **color,
        )
    )
    return layout(
        fig,
        title,
        xaxis={"title": "day of the first attempt (UTC)", "type": "category"},
        yaxis={"autorange": "reversed"},
        height=bar_height(len(z), per_row=26),
    )


def latency_percentiles(by_recipient: pd.DataFrame, title: str) -> go.Figure:
    """p50 / p95 / p99 processing time per recipient (grouped horizontal bars, slowest on top)."""
    rows = plot_frame(by_recipient).sort_values("latency_p95_ms")
    fig = go.Figure()
    for name, color in (("p50", "#90caf9"), ("p95", "#1e88e5"), ("p99", "#0d47a1")):
        fig.add_bar(
            y=rows["recipient"],
            x=rows[f"latency_{name}_ms"],
            name=name,
            orientation="h",
            marker_color=color,
            hovertemplate="%{y} " + name + ": %{x:,.0f} ms<extra></extra>",
        )
    return layout(
        fig,
        title,
        barmode="group",
        xaxis_title="ms (first attempt)",
        height=bar_height(len(rows), per_row=36),
        legend=BOTTOM_LEGEND,
    )


def failure_reasons(failures: pd.DataFrame, top: int = 15) -> go.Figure:
    """The most frequent failure and error reasons, stacked by recipient."""
    failures = plot_frame(failures)
    totals = failures.groupby("reason")["deliveries"].sum().nlargest(top)
    rows = failures[failures["reason"].isin(totals.index)]
    order = list(totals.sort_values().index)
    fig = go.Figure()
    for recipient, part in rows.groupby("recipient", sort=True):
        part = part.groupby("reason", as_index=False)["deliveries"].sum()
        fig.add_bar(y=part["reason"], x=part["deliveries"], name=str(recipient), orientation="h")
    fig.update_yaxes(categoryorder="array", categoryarray=order)
    return layout(
        fig,
        "Failure and error reasons (final outcome, by recipient)",
        barmode="stack",
        xaxis_title="deliveries",
        height=bar_height(len(order), per_row=28, minimum=380),
        legend={"title": "recipient"},
    )


def revenue_by_recipient(daily: pd.DataFrame) -> go.Figure:
    """Revenue per day, stacked by buyer."""
    return stacked_over_time(
        daily, "recipient", "revenue", "Revenue per day by buyer (USD)", top=12
    )
