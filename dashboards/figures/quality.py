"""Figures of the lead-quality page: certificate status and input method by source, return rates
against each buyer's threshold, return reasons, duplicate rates over windows."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboards.figures.common import BAD_SCALE, BOTTOM_LEGEND, bar_height, layout, stacked_bars
from dashboards.safe_text import plot_frame

CERTIFICATE_PARTS = {  # column -> (legend, color), stacked in this order
    "claimed": ("claimed", "#2e7d32"),
    "unclaimed_ok": ("unclaimed", "#f9a825"),
    "unclaimed_near_expiry": ("unclaimed, near expiry", "#c62828"),
    "expired": ("expired", "#6a1b9a"),
    "not_found": ("not found", "#8d6e63"),
    "missing": ("no certificate", "#9e9e9e"),
}
INPUT_PARTS = {
    "typed_share": ("typed", "#1565c0"),
    "autofill_share": ("autofill", "#64b5f6"),
    "pasted_share": ("pasted", "#ef6c00"),
}


def certificate_status(by_source: pd.DataFrame) -> go.Figure:
    """Per source, its TrustedForm checks by certificate status (stacked), the sources with the
    most unclaimed certificates near expiry on top."""
    rows = plot_frame(
        by_source.assign(unclaimed_ok=by_source["unclaimed"] - by_source["unclaimed_near_expiry"])
    ).sort_values(["near_expiry_rate", "checks"], ascending=True)
    return stacked_bars(
        rows,
        "source",
        CERTIFICATE_PARTS,
        "TrustedForm certificates by status",
        ",",
        per_row=22,
        xaxis={"title": "certificates checked"},
    )


def input_methods(by_source: pd.DataFrame) -> go.Figure:
    """Per source, the share of its certificates' forms typed, autofilled or pasted (stacked to
    100%), the most pasted on top."""
    rows = plot_frame(by_source.dropna(subset=["pasted_share"])).sort_values("pasted_share")
    return stacked_bars(
        rows,
        "source",
        INPUT_PARTS,
        "Form input method (share of certificates)",
        ".0%",
        per_row=22,
        xaxis={"tickformat": ".0%", "range": [0, 1], "title": "share"},
    )


def returns_against_thresholds(by_buyer: pd.DataFrame) -> go.Figure:
    """Return rate per buyer (red when over its threshold), its threshold as a black mark."""
    rows = plot_frame(by_buyer.dropna(subset=["return_rate"])).sort_values("return_rate")
    colors = ["#c62828" if over else "#6a1b9a" for over in rows["over_threshold"]]
    fig = go.Figure(
        go.Bar(
            y=rows["buyer"],
            x=rows["return_rate"],
            orientation="h",
            marker_color=colors,
            name="return rate",
            customdata=rows[["returned", "sold"]],
            hovertemplate="%{y}: %{x:.1%} returned (%{customdata[0]:,} of %{customdata[1]:,}"
            " sold)<extra></extra>",
        )
    )
    fig.add_scatter(
        y=rows["buyer"],
        x=rows["threshold"],
        mode="markers",
        name="threshold",
        marker={"symbol": "line-ns-open", "size": 18, "color": "#212121", "line": {"width": 3}},
        hovertemplate="%{y}: threshold %{x:.0%}<extra></extra>",
    )
    return layout(
        fig,
        "Return rate by buyer against its threshold",
        xaxis={"tickformat": ".0%", "title": "returned / sold", "rangemode": "tozero"},
        legend=BOTTOM_LEGEND,
        height=bar_height(len(rows), per_row=26),
    )


def return_reasons(reasons: pd.DataFrame) -> go.Figure:
    """Returned leads per buyer, stacked by reason."""
    reasons = plot_frame(reasons)
    order = reasons.groupby("buyer")["returned"].sum().sort_values().index.tolist()
    fig = go.Figure()
    palette = ("#6a1b9a", "#ef6c00", "#1565c0", "#2e7d32", "#8d6e63", "#9e9e9e")
    for i, reason in enumerate(reasons.groupby("reason")["returned"].sum().sort_values().index):
        part = reasons[reasons["reason"] == reason].set_index("buyer").reindex(order)
        fig.add_bar(
            y=order,
            x=part["returned"].fillna(0),
            name=str(reason),
            orientation="h",
            marker_color=palette[i % len(palette)],
            hovertemplate="%{y}: %{x:,} %{fullData.name}<extra></extra>",
        )
    return layout(
        fig,
        "Returns by buyer and reason",
        barmode="stack",
        legend=BOTTOM_LEGEND,
        xaxis={"title": "returned leads"},
        height=bar_height(len(order), per_row=26),
    )


def window_heatmap(windows: pd.DataFrame, subject: str, rate: str, title: str) -> go.Figure:
    """Subjects (rows, highest rate over the longest window on top) by window (columns: 3 to 45
    days), colored by `rate`."""
    grid = plot_frame(windows).pivot_table(
        index=subject, columns="window_days", values=rate, aggfunc="first"
    )
    if grid.empty:
        return layout(go.Figure(), title)
    grid = grid.sort_values(grid.columns.max(), ascending=True)
    fig = go.Figure(
        go.Heatmap(
            z=grid.to_numpy(),
            x=[f"{days} days" for days in grid.columns],
            y=grid.index.tolist(),
            colorscale=BAD_SCALE,
            zmin=0,
            colorbar={"tickformat": ".0%", "title": ""},
            text=[[f"{v:.1%}" if pd.notna(v) else "" for v in row] for row in grid.to_numpy()],
            texttemplate="%{text}",
            hovertemplate="%{y}, last %{x}: %{z:.1%}<extra></extra>",
        )
    )
    return layout(fig, title, height=bar_height(len(grid), per_row=24))
