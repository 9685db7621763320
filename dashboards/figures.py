"""DataFrames -> Plotly figures. Pure functions; no Streamlit here."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

OUTCOME_COLORS = {"accepted": "#2e7d32", "rejected": "#c62828", "errored": "#f9a825"}
DELIVERY_COLORS = {
    "success": "#2e7d32",
    "failure": "#c62828",
    "error": "#f9a825",
    "skip": "#9e9e9e",
}
EVENT_COLORS = {
    "success": "#2e7d32",
    "continue": "#66bb6a",
    "failure": "#c62828",
    "stop": "#c62828",
    "error": "#f9a825",
    "skip": "#9e9e9e",
}
MONEY_COLORS = {"revenue": "#1565c0", "cost": "#ef6c00", "profit": "#2e7d32"}
RATE_SCALE = "RdYlGn"  # red = low acceptance, green = high
BAD_SCALE = "Reds"  # for rates where high is bad (errors, returns)
WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
WEEK_ORDER = [1, 2, 3, 4, 5, 6, 0]  # Monday first, top to bottom
MARGIN = {"t": 50, "b": 40, "l": 10, "r": 10}
BOTTOM_LEGEND = {"orientation": "h", "yanchor": "top", "y": -0.22, "x": 0}


def _layout(fig: go.Figure, title: str, **kwargs) -> go.Figure:
    margin = dict(MARGIN)
    if kwargs.get("legend", {}).get("orientation") == "h":
        margin["b"] = 110
    fig.update_layout(title=title, margin=margin, **kwargs)
    return fig


def _bar_height(rows: int, per_row: int = 24, minimum: int = 300) -> int:
    return max(minimum, per_row * rows + 120)


# --------------------------------------------------------------------------------------------
# Acceptance


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
    ordered = frame.sort_values("leads")
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
    return _layout(
        fig, title, barmode="stack", xaxis_title="leads", height=_bar_height(len(ordered))
    )


def acceptance_over_time_by_flow(daily: pd.DataFrame) -> go.Figure:
    """One line per flow: the acceptance rate per day."""
    fig = go.Figure()
    for flow, rows in daily.groupby("flow", sort=True):
        fig.add_scatter(
            x=rows["day"],
            y=rows["acceptance_rate"],
            name=str(flow),
            mode="lines+markers",
            customdata=rows[["leads"]],
            hovertemplate="%{x|%Y-%m-%d}: %{y:.1%} of %{customdata[0]:,} leads",
        )
    return _layout(
        fig,
        "Acceptance rate per day by flow",
        xaxis_title="day of submission (UTC)",
        yaxis={"title": "acceptance rate", "tickformat": ".0%", "rangemode": "tozero"},
        legend_title="flow",
    )


def _clock_label(clock: str) -> str:
    return "the lead's local time" if clock == "local" else "UTC"


def acceptance_heatmap(grid: pd.DataFrame, clock: str = "local") -> go.Figure:
    """Acceptance rate by weekday (rows, Monday on top) x hour of day (columns)."""
    rate = grid.pivot_table(index="weekday", columns="hour", values="acceptance_rate")
    leads = grid.pivot_table(index="weekday", columns="hour", values="leads", aggfunc="sum")
    rate = rate.reindex(index=WEEK_ORDER, columns=range(24))
    leads = leads.reindex(index=WEEK_ORDER, columns=range(24)).fillna(0)
    fig = go.Figure(
        go.Heatmap(
            z=rate.to_numpy(),
            x=list(range(24)),
            y=[WEEKDAYS[d] for d in WEEK_ORDER],
            customdata=leads.to_numpy(),
            colorscale=RATE_SCALE,
            zmin=0,
            zmax=1,
            colorbar={"title": "accepted", "tickformat": ".0%"},
            hovertemplate="%{y} %{x}:00 — %{z:.1%} accepted of %{customdata:,.0f} leads"
            "<extra></extra>",
            xgap=1,
            ygap=1,
        )
    )
    return _layout(
        fig,
        f"Acceptance rate by hour of day and weekday ({_clock_label(clock)})",
        xaxis={"title": f"hour of day ({_clock_label(clock)})", "dtick": 1},
        yaxis={"autorange": "reversed"},
        height=360,
    )


def source_hour_heatmap(frame: pd.DataFrame, clock: str = "utc", min_leads: int = 3) -> go.Figure:
    """Acceptance rate per source (rows) x hour of day (columns): a source whose leads are
    rejected at certain hours shows as a red band. Cells with fewer than `min_leads` leads are
    left blank (too few to read a rate from)."""
    rate = frame.pivot_table(index="source", columns="hour", values="acceptance_rate")
    leads = frame.pivot_table(index="source", columns="hour", values="leads", aggfunc="sum")
    rate = rate.reindex(columns=range(24))
    leads = leads.reindex(index=rate.index, columns=range(24)).fillna(0)
    rate = rate.where(leads >= min_leads)
    fig = go.Figure(
        go.Heatmap(
            z=rate.to_numpy(),
            x=list(range(24)),
            y=list(rate.index),
            customdata=leads.to_numpy(),
            colorscale=RATE_SCALE,
            zmin=0,
            zmax=1,
            colorbar={"title": "accepted", "tickformat": ".0%"},
            hovertemplate="%{y} at %{x}:00 — %{z:.1%} accepted of %{customdata:,.0f} leads"
            "<extra></extra>",
            xgap=1,
            ygap=1,
        )
    )
    return _layout(
        fig,
        f"Acceptance rate by source and hour of day ({_clock_label(clock)})",
        xaxis={"title": f"hour of day ({_clock_label(clock)})", "dtick": 1},
        yaxis={"autorange": "reversed"},
        height=_bar_height(len(rate), per_row=22),
    )


# --------------------------------------------------------------------------------------------
# Overview


def kpi_trend(daily: pd.DataFrame) -> go.Figure:
    """Leads per day by outcome (bars) with the acceptance and delivery success rates (lines)."""
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    for outcome, color in OUTCOME_COLORS.items():
        fig.add_bar(
            x=daily["day"],
            y=daily[outcome],
            name=f"{outcome} leads",
            marker_color=color,
            opacity=0.8,
            secondary_y=False,
        )
    fig.add_scatter(
        x=daily["day"],
        y=daily["acceptance_rate"],
        name="acceptance rate",
        mode="lines+markers",
        line={"color": "#212121"},
        secondary_y=True,
    )
    fig.add_scatter(
        x=daily["day"],
        y=daily["delivery_success_rate"],
        name="delivery success rate",
        mode="lines+markers",
        line={"color": "#1565c0", "dash": "dot"},
        secondary_y=True,
    )
    fig.update_layout(barmode="stack")
    fig.update_yaxes(title_text="leads", secondary_y=False)
    fig.update_yaxes(
        title_text="rate",
        tickformat=".0%",
        range=[0, 1.05],
        secondary_y=True,
        tickmode="array",
        tickvals=[0, 0.25, 0.5, 0.75, 1],
        showgrid=False,
    )
    fig.update_xaxes(title_text="day of submission (UTC)")
    return _layout(fig, "Leads and rates per day", legend=BOTTOM_LEGEND)


def money_trend(daily: pd.DataFrame) -> go.Figure:
    """Revenue and cost per day (bars) with profit (line)."""
    fig = go.Figure()
    fig.add_bar(
        x=daily["day"], y=daily["revenue"], name="revenue", marker_color=MONEY_COLORS["revenue"]
    )
    fig.add_bar(x=daily["day"], y=daily["cost"], name="cost", marker_color=MONEY_COLORS["cost"])
    fig.add_scatter(
        x=daily["day"],
        y=daily["profit"],
        name="profit",
        mode="lines+markers",
        line={"color": MONEY_COLORS["profit"], "width": 3},
    )
    return _layout(
        fig,
        "Revenue, cost and profit per day (USD, by day of submission)",
        barmode="group",
        yaxis={"title": "USD", "tickprefix": "$"},
        xaxis_title="day of submission (UTC)",
        legend=BOTTOM_LEGEND,
    )


# --------------------------------------------------------------------------------------------
# Rejections


def pareto(frame: pd.DataFrame, label: str = "reason_category") -> go.Figure:
    """Bars of rejected leads per category, largest first, and the cumulative share (line)."""
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
    return _layout(fig, "Rejections by reason category (Pareto)", legend=BOTTOM_LEGEND)


def horizontal_bars(
    frame: pd.DataFrame,
    label: str,
    value: str,
    title: str,
    *,
    color: str = "#c62828",
    top: int = 20,
    value_format: str = ",",
    axis_title: str | None = None,
) -> go.Figure:
    """The largest `top` rows as horizontal bars, largest on top."""
    rows = frame.nlargest(top, value).sort_values(value)
    fig = go.Figure(
        go.Bar(
            y=rows[label].astype(str),
            x=rows[value],
            orientation="h",
            marker_color=color,
            hovertemplate="%{y}: %{x:" + value_format + "}<extra></extra>",
        )
    )
    axis = {"title": axis_title or value}
    if value_format.endswith("%"):
        axis["tickformat"] = ".0%"
    return _layout(fig, title, xaxis=axis, height=_bar_height(len(rows)))


def stacked_over_time(
    frame: pd.DataFrame, stack: str, value: str, title: str, *, top: int = 8
) -> go.Figure:
    """Stacked bars per day of `value`, one color per `stack` value (the `top` largest; the
    rest as "other")."""
    totals = frame.groupby(stack)[value].sum().sort_values(ascending=False)
    keep = list(totals.index[:top])
    data = frame.assign(**{stack: frame[stack].where(frame[stack].isin(keep), "other")})
    data = data.groupby(["day", stack], as_index=False)[value].sum()
    fig = go.Figure()
    for name in keep + (["other"] if len(totals) > top else []):
        rows = data[data[stack] == name]
        fig.add_bar(x=rows["day"], y=rows[value], name=str(name))
    return _layout(
        fig,
        title,
        barmode="stack",
        xaxis_title="day (UTC)",
        yaxis_title=value,
        legend=BOTTOM_LEGEND,
    )


# --------------------------------------------------------------------------------------------
# Delivery


def outcome_shares(by_recipient: pd.DataFrame, title: str) -> go.Figure:
    """100 % stacked bars per recipient: success / failure / error / skip shares."""
    rows = by_recipient.sort_values("success_rate")
    fig = go.Figure()
    for outcome, color in DELIVERY_COLORS.items():
        rate = f"{outcome}_rate"
        count = {
            "success": "succeeded",
            "failure": "failed",
            "error": "errored",
            "skip": "skipped",
        }[outcome]
        fig.add_bar(
            y=rows["recipient"],
            x=rows[rate],
            name=outcome,
            orientation="h",
            marker_color=color,
            customdata=rows[[count, "attempted"]],
            hovertemplate="%{y}: %{x:.1%} "
            + outcome
            + " (%{customdata[0]:,} of %{customdata[1]:,})<extra></extra>",
        )
    return _layout(
        fig,
        title,
        barmode="stack",
        xaxis={"tickformat": ".0%", "range": [0, 1]},
        height=_bar_height(len(rows)),
        legend=BOTTOM_LEGEND,
    )


def recipient_day_heatmap(daily: pd.DataFrame, outcome: str = "error") -> go.Figure:
    """Recipient (rows) x day (columns), colored by the share of one outcome (`success`,
    `failure`, `error`, `skip`) or by the p95 latency (`latency`): a buyer that errored for a
    whole day, or a slow step, is a bright cell."""
    latency = outcome == "latency"
    value = "latency_p95_ms" if latency else f"{outcome}_rate"
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
    return _layout(
        fig,
        title,
        xaxis={"title": "day of the first attempt (UTC)", "type": "category"},
        yaxis={"autorange": "reversed"},
        height=_bar_height(len(z), per_row=26),
    )


def latency_percentiles(by_recipient: pd.DataFrame, title: str) -> go.Figure:
    """p50 / p95 / p99 processing time per recipient (grouped horizontal bars, slowest on top)."""
    rows = by_recipient.sort_values("latency_p95_ms")
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
    return _layout(
        fig,
        title,
        barmode="group",
        xaxis_title="ms (first attempt)",
        height=_bar_height(len(rows), per_row=36),
        legend=BOTTOM_LEGEND,
    )


def failure_reasons(failures: pd.DataFrame, top: int = 15) -> go.Figure:
    """The most frequent failure and error reasons, stacked by recipient."""
    totals = failures.groupby("reason")["deliveries"].sum().nlargest(top)
    rows = failures[failures["reason"].isin(totals.index)]
    order = list(totals.sort_values().index)
    fig = go.Figure()
    for recipient, part in rows.groupby("recipient", sort=True):
        part = part.groupby("reason", as_index=False)["deliveries"].sum()
        fig.add_bar(y=part["reason"], x=part["deliveries"], name=str(recipient), orientation="h")
    fig.update_yaxes(categoryorder="array", categoryarray=order)
    return _layout(
        fig,
        "Failure and error reasons (final outcome, by recipient)",
        barmode="stack",
        xaxis_title="deliveries",
        height=_bar_height(len(order), per_row=28, minimum=380),
        legend={"title": "recipient"},
    )


def revenue_by_recipient(daily: pd.DataFrame) -> go.Figure:
    """Revenue per day, stacked by buyer."""
    return stacked_over_time(
        daily, "recipient", "revenue", "Revenue per day by buyer (USD)", top=12
    )


# --------------------------------------------------------------------------------------------
# Source quality


def small_multiples(
    daily: pd.DataFrame, metric: str, title: str, *, columns: int = 4, percent: bool = True
) -> go.Figure:
    """One small line chart per source (same axes), sources in name order."""
    sources = sorted(daily["source"].unique())
    if not sources:
        return _layout(go.Figure(), title)
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
            hovertemplate=source
            + " %{x|%Y-%m-%d}: %{y"
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
    return _layout(fig, title, height=max(300, 130 * rows + 80))


def source_returns(scorecard: pd.DataFrame) -> go.Figure:
    """Return rate per source and flow, highest on top, sized by sold leads in the hover."""
    rows = scorecard.assign(label=scorecard["source"] + " · " + scorecard["flow"])
    rows = rows.sort_values("return_rate")
    fig = go.Figure(
        go.Bar(
            y=rows["label"],
            x=rows["return_rate"],
            orientation="h",
            marker_color="#6a1b9a",
            customdata=rows[["returned", "sold_leads"]],
            hovertemplate="%{y}: %{x:.1%} returned (%{customdata[0]:,} of %{customdata[1]:,}"
            " sold)<extra></extra>",
        )
    )
    return _layout(
        fig,
        "Return rate by source (returned / sold leads)",
        xaxis={"tickformat": ".0%", "title": "return rate"},
        height=_bar_height(len(rows), per_row=22),
    )


# --------------------------------------------------------------------------------------------
# Lead lookup


def event_label(event: pd.Series) -> str:
    """A short name for one event: its type and step or recipient."""
    who = event.get("recipient_name")
    if not isinstance(who, str) or not who:
        who = f"step {event['step_id']}" if isinstance(event.get("step_id"), str) else ""
    return f"{event['event_type']} {who}".strip()


def lead_timeline(events: pd.DataFrame, window_seconds: float = 60.0) -> go.Figure:
    """The lead's real-time processing as a waterfall: one bar per event from its start to its
    end, in milliseconds since the first event, colored by outcome (failures and stops in red).

    Only events that start before the source event ends (or within `window_seconds` of the first
    event when there is no source event) are drawn; later ones (retries, feedback) would squash
    the scale and are listed under the chart instead."""
    if events.empty:
        return _layout(go.Figure(), "Event timeline")
    start = events["started_at"].min()
    source = events[events["event_type"] == "source"]
    cut = source["ended_at"].max() if not source.empty else pd.NaT
    if pd.isna(cut):
        cut = start + pd.Timedelta(seconds=window_seconds)
    near = events[events["started_at"] <= cut]
    offset = (near["started_at"] - start).dt.total_seconds() * 1000
    length = ((near["ended_at"] - near["started_at"]).dt.total_seconds() * 1000).clip(lower=1)
    labels = [f"{i + 1}. {event_label(e)}" for i, (_, e) in enumerate(near.iterrows())]
    colors = [EVENT_COLORS.get(o, "#607d8b") for o in near["outcome"]]
    fig = go.Figure(
        go.Bar(
            y=labels,
            x=length,
            base=offset,
            orientation="h",
            marker_color=colors,
            customdata=list(zip(near["outcome"], near["reason"].fillna(""), strict=True)),
            hovertemplate="%{y}: %{customdata[0]} %{customdata[1]}<br>"
            "from +%{base:,.0f} ms for %{x:,.0f} ms<extra></extra>",
        )
    )
    later = len(events) - len(near)
    title = "Event timeline (ms since submission)"
    if later:
        title += f" — {later} later event(s) (retries, feedback) listed below"
    return _layout(
        fig,
        title,
        xaxis_title="ms since the first event",
        yaxis={"autorange": "reversed"},
        height=_bar_height(len(near), per_row=28, minimum=200),
    )
