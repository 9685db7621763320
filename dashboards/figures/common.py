"""What the figure modules share: colors and scales, the common layout, and the generic
bar charts (horizontal_bars, detailed_bars, stacked_bars, stacked_over_time) several pages
use."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboards.safe_text import plot_frame

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


def layout(fig: go.Figure, title: str, **kwargs) -> go.Figure:
    margin = dict(MARGIN)
    if kwargs.get("legend", {}).get("orientation") == "h":
        margin["b"] = 110
    fig.update_layout(title=title, margin=margin, **kwargs)
    return fig


def bar_height(rows: int, per_row: int = 24, minimum: int = 300) -> int:
    return max(minimum, per_row * rows + 120)


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
    rows = plot_frame(frame.nlargest(top, value).sort_values(value))
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
    return layout(fig, title, xaxis=axis, height=bar_height(len(rows)))


def detailed_bars(
    rows: pd.DataFrame, label: str, value: str, color, customdata: pd.DataFrame, hover: str
) -> go.Figure:
    """Horizontal bars of `value` per `label`, in the rows' order, colored `color` (one color or
    one per row), with the `customdata` columns in the hover template `hover`. The caller passes
    rows already through plot_frame (as stacked_bars)."""
    return go.Figure(
        go.Bar(
            y=rows[label],
            x=rows[value],
            orientation="h",
            marker_color=color,
            customdata=customdata,
            hovertemplate=hover,
        )
    )


def stacked_bars(
    rows: pd.DataFrame,
    label: str,
    parts: dict,
    title: str,
    value_format: str,
    *,
    counts: dict | None = None,
    per_row: int = 24,
    **options,
) -> go.Figure:
    """Horizontal bars per `label`, one stacked part per column of `parts` (column -> (legend,
    color)), in its order. `counts` (column -> its count and total columns) adds "(count of
    total)" to a part's hover. The caller passes rows already through plot_frame."""
    fig = go.Figure()
    for column, (name, color) in parts.items():
        hover = "%{y}: %{x:" + value_format + "} " + name
        detail = {}
        if counts:
            detail["customdata"] = rows[list(counts[column])]
            hover += " (%{customdata[0]:,} of %{customdata[1]:,})"
        fig.add_bar(
            y=rows[label],
            x=rows[column],
            name=name,
            orientation="h",
            marker_color=color,
            hovertemplate=hover + "<extra></extra>",
            **detail,
        )
    return layout(
        fig,
        title,
        barmode="stack",
        legend=BOTTOM_LEGEND,
        height=bar_height(len(rows), per_row=per_row),
        **options,
    )


def stacked_over_time(
    frame: pd.DataFrame, stack: str, value: str, title: str, *, top: int = 8
) -> go.Figure:
    """Stacked bars per day of `value`, one color per `stack` value (the `top` largest; the
    rest as "other")."""
    frame = plot_frame(frame)
    totals = frame.groupby(stack)[value].sum().sort_values(ascending=False)
    keep = list(totals.index[:top])
    data = frame.assign(**{stack: frame[stack].where(frame[stack].isin(keep), "other")})
    data = data.groupby(["day", stack], as_index=False)[value].sum()
    fig = go.Figure()
    for name in keep + (["other"] if len(totals) > top else []):
        rows = data[data[stack] == name]
        fig.add_bar(x=rows["day"], y=rows[value], name=str(name))
    return layout(
        fig,
        title,
        barmode="stack",
        xaxis_title="day (UTC)",
        yaxis_title=value,
        legend=BOTTOM_LEGEND,
    )
