"""Figures of the overview page: leads and rates per day, money per day."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboards.figures.common import BOTTOM_LEGEND, MONEY_COLORS, OUTCOME_COLORS, layout

RATE_LINES = {
    "acceptance_rate": {"color": "#212121"},
    "delivery_success_rate": {"color": "#1565c0", "dash": "dot"},
}


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
    for rate, line in RATE_LINES.items():
        fig.add_scatter(
            x=daily["day"],
            y=daily[rate],
            name=rate.replace("_", " "),
            mode="lines+markers",
            line=line,
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
    return layout(fig, "Leads and rates per day", legend=BOTTOM_LEGEND)


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
    return layout(
        fig,
        "Revenue, cost and profit per day (USD, by day of submission)",
        barmode="group",
        yaxis={"title": "USD", "tickprefix": "$"},
        xaxis_title="day of submission (UTC)",
        legend=BOTTOM_LEGEND,
    )
