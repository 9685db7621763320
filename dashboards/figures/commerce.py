"""Figures of the commerce page: when caps are reached, buyer response times by hour and day,
feedback cohorts and return curves, supplier profit and loss."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboards.figures.common import (
    BAD_SCALE,
    BOTTOM_LEGEND,
    MONEY_COLORS,
    bar_height,
    detailed_bars,
    layout,
)
from dashboards.safe_text import plot_frame

HOURS = list(range(24))


def cap_reached_heatmap(daily: pd.DataFrame) -> go.Figure:
    """Source or buyer (rows) x day (columns), colored by the time of day its cap was first
    reached (UTC): early is dark; a blank cell is a day the cap was not reached."""
    daily = plot_frame(daily)
    days = pd.to_datetime(daily["day"]).dt.strftime("%Y-%m-%d")
    z = daily.assign(day=days).pivot_table(
        index="name", columns="day", values="first_capped_hour", aggfunc="min"
    )
    z = z.reindex(columns=sorted(days.unique()))
    text = z.map(
        lambda hour: "" if pd.isna(hour) else f"{int(hour):02d}:{round(hour % 1 * 60):02d}"
    )
    fig = go.Figure(
        go.Heatmap(
            z=z.values,
            x=[str(day) for day in z.columns],
            y=list(z.index),
            text=text.values,
            texttemplate="%{text}",
            colorscale="Blues_r",
            zmin=0,
            zmax=24,
            colorbar={"title": "hour (UTC)"},
            hovertemplate="%{y}, %{x}: cap first reached at %{text} UTC<extra></extra>",
            xgap=1,
            ygap=1,
        )
    )
    return layout(
        fig,
        "When the daily cap was first reached (UTC; blank: not reached)",
        height=bar_height(len(z.index), per_row=36),
        xaxis={"type": "category", "title": "day (UTC)"},
    )


def monthly_cap_use(monthly: pd.DataFrame) -> go.Figure:
    """Per source or buyer with a monthly cap and month: the share of the cap used."""
    rows = plot_frame(monthly[monthly["monthly_cap"].notna()]).copy()
    rows["label"] = rows["name"] + " · " + rows["month"].astype(str).str[:7]
    rows = rows.sort_values("monthly_cap_used")
    fig = detailed_bars(
        rows,
        "label",
        "monthly_cap_used",
        ["#c62828" if used >= 1 else "#1565c0" for used in rows["monthly_cap_used"]],
        rows[["counted", "monthly_cap", "monthly_cap_reached_on"]].astype(str),
        "%{y}: %{x:.0%} of the monthly cap (%{customdata[0]} of %{customdata[1]}; reached on"
        " %{customdata[2]})<extra></extra>",
    )
    fig.add_vline(x=1, line_dash="dash", line_color="#616161")
    right = max(1.1, float(rows["monthly_cap_used"].max() or 0) * 1.05)
    return layout(
        fig,
        "Monthly caps: share used (dashed: the cap)",
        xaxis={"tickformat": ".0%", "title": "counted / monthly cap", "range": [0, right]},
        height=bar_height(len(rows), minimum=220),
    )


def response_hour_heatmap(hourly: pd.DataFrame, value: str = "latency_ms_p99") -> go.Figure:
    """Buyer (rows) x hour of day (UTC), colored by a latency percentile (ms) or the timeout
    rate: a buyer that slows down in its busy hours is a bright band."""
    rate = value == "timeout_rate"
    z = (
        plot_frame(hourly)
        .pivot_table(index="buyer", columns="hour", values=value)
        .reindex(columns=HOURS)
    )
    z = z.loc[z.max(axis=1).sort_values().index]
    fig = go.Figure(
        go.Heatmap(
            z=z.values,
            x=HOURS,
            y=list(z.index),
            colorscale=BAD_SCALE,
            zmin=0,
            colorbar={"title": "timeouts" if rate else "ms", "tickformat": ".0%" if rate else ","},
            hovertemplate="%{y}, %{x}:00 UTC: %{z:"
            + (".1%" if rate else ",.0f")
            + "}"
            + ("" if rate else " ms")
            + "<extra></extra>",
            xgap=1,
            ygap=1,
        )
    )
    title = {
        "latency_ms_p50": "p50 response time",
        "latency_ms_p90": "p90 response time",
        "latency_ms_p99": "p99 response time",
        "timeout_rate": "Timeouts",
    }[value]
    return layout(
        fig,
        f"{title} by buyer and hour of day (UTC, all history)",
        height=bar_height(len(z.index), per_row=30),
        xaxis={"title": "hour of day (UTC)", "dtick": 1},
    )


def _line_per_buyer(
    frame: pd.DataFrame,
    x: str,
    value: str,
    mode: str,
    hover: str,
    customdata: list[str] | None = None,
) -> go.Figure:
    """One line per buyer of `frame`: `value` against `x`; `hover` follows the buyer's name in
    the hover, which shows the `customdata` columns as %{customdata[i]}."""
    fig = go.Figure()
    for buyer, rows in plot_frame(frame).groupby("buyer"):
        fig.add_scatter(
            x=rows[x],
            y=rows[value],
            name=str(buyer),
            mode=mode,
            hovertemplate="%{fullData.name}" + hover + "<extra></extra>",
            **({"customdata": rows[customdata]} if customdata else {}),
        )
    return fig


def response_over_time(daily: pd.DataFrame, value: str = "latency_ms_p99") -> go.Figure:
    """One line per buyer: a daily latency percentile (ms)."""
    fig = _line_per_buyer(daily, "day", value, "lines+markers", ", %{x}: %{y:,.0f} ms")
    return layout(
        fig,
        f"Daily {value.removeprefix('latency_ms_')} response time by buyer",
        xaxis_title="day (UTC)",
        yaxis={"title": "ms", "rangemode": "tozero"},
        legend=BOTTOM_LEGEND,
    )


def cohort_heatmap(cohorts: pd.DataFrame, value: str = "return_rate_to_date") -> go.Figure:
    """Submission-day cohort (rows) x days since submission: the cohort's return (or
    conversion) rate to date; a rate that keeps rising weeks later is late feedback."""
    z = cohorts.pivot_table(index="cohort", columns="days", values=value)
    fig = go.Figure(
        go.Heatmap(
            z=z.values,
            x=list(z.columns),
            y=[pd.Timestamp(cohort).strftime("%Y-%m-%d") for cohort in z.index],
            colorscale=BAD_SCALE if value.startswith("return") else "Greens",
            zmin=0,
            colorbar={"title": "rate", "tickformat": ".1%"},
            hovertemplate="cohort %{y}, day %{x}: %{z:.1%}<extra></extra>",
            xgap=1,
            ygap=1,
        )
    )
    noun = "Returns" if value.startswith("return") else "Conversions"
    return layout(
        fig,
        f"{noun} to date by submission-day cohort and days since submission",
        height=bar_height(len(z.index), per_row=22),
        xaxis={"title": "days since submission", "dtick": 1},
        yaxis={"title": "cohort (submission day, UTC)", "autorange": "reversed"},
    )


def return_curves(curves: pd.DataFrame, value: str = "return_rate_to_date") -> go.Figure:
    """One line per buyer: its return rate to date by days since submission (the period's
    cohorts old enough, pooled): a curve that climbs after two weeks is a late returner."""
    fig = _line_per_buyer(
        curves,
        "days",
        value,
        "lines",
        ", day %{x}: %{y:.1%} (%{customdata[0]} cohorts)",
        customdata=["cells"],
    )
    noun = "Return" if value.startswith("return") else "Conversion"
    return layout(
        fig,
        f"{noun} rate to date by buyer and days since submission",
        xaxis={"title": "days since submission", "dtick": 2},
        yaxis={"title": f"{noun.lower()}s / deliveries sold", "tickformat": ".0%"},
        legend=BOTTOM_LEGEND,
    )


def profit_by_source(pnl: pd.DataFrame) -> go.Figure:
    """Profit per source over the months shown, losses in red, with revenue and cost in the
    hover."""
    rows = (
        plot_frame(pnl)
        .groupby("source", as_index=False)[["profit", "net_revenue", "cost", "leads"]]
        .sum()
        .sort_values("profit")
    )
    fig = detailed_bars(
        rows,
        "source",
        "profit",
        ["#c62828" if profit < 0 else MONEY_COLORS["profit"] for profit in rows["profit"]],
        rows[["net_revenue", "cost", "leads"]],
        "%{y}: profit $%{x:,.0f} (net revenue $%{customdata[0]:,.0f}, cost"
        " $%{customdata[1]:,.0f}, %{customdata[2]:,} leads)<extra></extra>",
    )
    return layout(
        fig,
        "Profit by source (net of returns)",
        xaxis={"title": "USD", "tickprefix": "$", "tickformat": ",.0f"},
        height=bar_height(len(rows)),
    )
