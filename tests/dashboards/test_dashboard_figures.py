"""The figure functions: DataFrames from the real queries in, Plotly figures with the right data
out."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboards import figures, queries
from dashboards.queries import Filters


def test_pareto_keeps_the_query_order_and_ends_at_one(con):
    frame = queries.rejection_pareto(con, Filters())
    fig = figures.pareto(frame)
    bars, line = fig.data
    assert list(bars.x) == list(frame["reason_category"])
    assert list(bars.y) == list(frame["rejected"])
    assert line.y[-1] == pytest.approx(1.0)
    assert list(fig.layout.xaxis.categoryarray) == list(frame["reason_category"])


def test_acceptance_heatmap_is_seven_weekdays_by_24_hours(con):
    grid = queries.acceptance_by_hour_weekday(con, Filters(), clock="local")
    fig = figures.acceptance_heatmap(grid, "local")
    heat = fig.data[0]
    assert list(heat.y) == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    assert list(heat.x) == list(range(24))
    assert len(heat.z) == 7 and all(len(row) == 24 for row in heat.z)
    assert pd.DataFrame(heat.customdata).to_numpy().sum() == grid["leads"].sum()
    assert "local time" in fig.layout.title.text


def test_source_hour_heatmap_blanks_cells_with_too_few_leads():
    frame = pd.DataFrame(
        {
            "source": ["A", "A", "B"],
            "hour": [1, 2, 1],
            "leads": [10, 2, 5],
            "acceptance_rate": [0.5, 1.0, 0.2],
        }
    )
    heat = figures.source_hour_heatmap(frame, "utc", min_leads=3).data[0]
    assert list(heat.y) == ["A", "B"]
    assert heat.z[0][1] == 0.5 and pd.isna(heat.z[0][2]) and heat.z[1][1] == 0.2


def test_delivery_figures_show_every_recipient(con):
    by_recipient = queries.delivery_by_recipient(con, Filters(), kind="delivery")
    daily = queries.delivery_daily(con, Filters(), kind="delivery")
    recipients = set(by_recipient["recipient"])
    shares = figures.outcome_shares(by_recipient, "Outcomes by buyer")
    assert [trace.name for trace in shares.data] == ["success", "failure", "error", "skip"]
    assert all(set(trace.y) == recipients for trace in shares.data)
    heat = figures.recipient_day_heatmap(daily, "error").data[0]
    assert set(heat.y) == recipients
    assert len(heat.x) == daily["day"].nunique()
    slow = figures.recipient_day_heatmap(daily, "latency")
    assert "p95 latency" in slow.layout.title.text
    latency = figures.latency_percentiles(by_recipient, "Latency")
    assert [trace.name for trace in latency.data] == ["p50", "p95", "p99"]
    slowest = by_recipient.sort_values("latency_p95_ms").iloc[-1]["recipient"]
    assert latency.data[1].y[-1] == slowest  # slowest on top (last of a horizontal bar chart)


def test_failure_reasons_stack_by_recipient(con):
    failures = queries.delivery_failures(con, Filters(), kind="delivery")
    fig = figures.failure_reasons(failures, top=5)
    assert {trace.name for trace in fig.data} <= set(failures["recipient"])
    shown = sum(sum(trace.x) for trace in fig.data)
    top = failures.groupby("reason")["deliveries"].sum().nlargest(5).sum()
    assert shown == top


def test_overview_trends(con):
    daily = queries.overview_daily(con, Filters())
    kpi = figures.kpi_trend(daily)
    assert {t.name for t in kpi.data} >= {"accepted leads", "acceptance rate"}
    money = figures.money_trend(daily)
    assert [t.name for t in money.data] == ["revenue", "cost", "profit"]
    assert list(money.data[2].y) == pytest.approx(list(daily["profit"]))


def test_small_multiples_one_panel_per_source(con):
    daily = queries.source_quality_daily(con, Filters())
    fig = figures.small_multiples(daily, "return_rate", "Return rate")
    assert len(fig.data) == daily["source"].nunique()
    assert [a.text for a in fig.layout.annotations] == sorted(daily["source"].unique())


def test_source_returns_highest_on_top(con):
    scorecard = queries.source_scorecard(con, Filters())
    bar = figures.source_returns(scorecard).data[0]
    assert bar.x[-1] == scorecard["return_rate"].max()


def test_lead_timeline_draws_the_processing_and_colors_failures_red():
    t0 = pd.Timestamp("2026-10-30 00:00:00")
    ms = pd.Timedelta(milliseconds=1)
    events = pd.DataFrame(
        {
            "event_type": ["source", "filter", "recipient", "retry", "feedback-received"],
            "outcome": ["failure", "continue", "error", "success", "success"],
            "reason": [None, None, "Server error", None, "Sold"],
            "started_at": [
                t0,
                t0 + 5 * ms,
                t0 + 10 * ms,
                t0 + pd.Timedelta(minutes=20),
                t0 + pd.Timedelta(days=2),
            ],
            "ended_at": [
                t0 + 900 * ms,
                t0 + 6 * ms,
                t0 + 800 * ms,
                t0 + pd.Timedelta(minutes=20) + 300 * ms,
                t0 + pd.Timedelta(days=2),
            ],
            "recipient_name": [None, None, "Summit", "Summit", "Summit"],
            "step_id": [None, "abc123", "def456", "def456", "def456"],
        }
    )
    fig = figures.lead_timeline(events)
    bars = fig.data[0]
    assert list(bars.y) == ["1. source", "2. filter step abc123", "3. recipient Summit"]
    assert list(bars.marker.color) == [
        figures.EVENT_COLORS["failure"],
        figures.EVENT_COLORS["continue"],
        figures.EVENT_COLORS["error"],
    ]
    assert figures.EVENT_COLORS["failure"] == "#c62828"
    assert list(bars.base) == pytest.approx([0, 5, 10])
    assert "2 later event(s)" in fig.layout.title.text
    assert figures.lead_timeline(events.iloc[0:0]).data == ()
