"""Figures of the lead lookup page: the event timeline of one lead."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboards.figures.common import EVENT_COLORS, bar_height, layout
from dashboards.safe_text import plot_frame


def event_label(event: pd.Series) -> str:
    """A short name for one event: its type and step (its human name) or recipient."""
    who = event.get("step_name")
    if not isinstance(who, str) or not who:
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
        return layout(go.Figure(), "Event timeline")
    start = events["started_at"].min()
    source = events[events["event_type"] == "source"]
    cut = source["ended_at"].max() if not source.empty else pd.NaT
    if pd.isna(cut):
        cut = start + pd.Timedelta(seconds=window_seconds)
    near = plot_frame(events[events["started_at"] <= cut])
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
    return layout(
        fig,
        title,
        xaxis_title="ms since the first event",
        yaxis={"autorange": "reversed"},
        height=bar_height(len(near), per_row=28, minimum=200),
    )
