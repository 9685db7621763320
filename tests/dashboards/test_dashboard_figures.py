"""The figure functions: DataFrames from the real queries in, Plotly figures with the right data
out."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dashboards import figures, queries
from dashboards.figures import commerce as commerce_figures
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


# Text from outside (a source's, buyer's, step's or flow's name, a buyer's reason) reaches the
# figures as text: Plotly draws <a href>, <b>, <br> and <span style> in labels, legends, hover
# boxes and titles, so those characters arrive as entities, which it draws back as themselves.

EVIL = '<a href="https://evil.example">x</a><b>'
OUTSIDE = {"source", "flow", "buyer", "recipient", "reason", "reason_category", "step", "name"}


def hostile(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with EVIL before every value of its columns of outside text."""
    return frame.assign(
        **{
            column: frame[column].map(lambda v: EVIL + v if isinstance(v, str) else v)
            for column in OUTSIDE & set(frame.columns)
        }
    )


def strings(value):
    """Every string in a figure's JSON (data, layout: labels, names, templates, titles)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list | tuple | np.ndarray | pd.Series | pd.Index):
        for item in value:
            yield from strings(item)


def by_step(steps: pd.DataFrame) -> pd.DataFrame:
    return steps.assign(step_flow=steps["step"] + " · " + steps["flow"].fillna(""))


def by_roi(scorecard: pd.DataFrame) -> pd.DataFrame:
    return scorecard.assign(label=scorecard["source"] + " · " + scorecard["flow"])


F = Filters()
#: Every figure a page draws from outside text: (figure function, its frame from the queries).
OUTSIDE_FIGURES = {
    "pareto": lambda c: figures.pareto(hostile(queries.rejection_pareto(c, F))),
    "raw reasons": lambda c: figures.horizontal_bars(
        hostile(queries.rejection_reasons(c, F)), "reason", "rejected", "Raw reasons"
    ),
    "rejecting steps": lambda c: figures.horizontal_bars(
        by_step(hostile(queries.rejection_steps(c, F))), "step_flow", "rejected", "Steps"
    ),
    "rejections per day": lambda c: figures.stacked_over_time(
        hostile(queries.rejections_daily(c, F)), "reason", "rejected", "Per day"
    ),
    "outcomes by source": lambda c: figures.outcomes_by_group(
        hostile(queries.outcomes_by_source(c, F)), "source", "By source"
    ),
    "acceptance by flow": lambda c: figures.acceptance_over_time_by_flow(
        hostile(queries.daily_acceptance_by_flow(c, F))
    ),
    "source x hour": lambda c: figures.source_hour_heatmap(
        hostile(queries.acceptance_by_source_hour(c, F, clock="utc")), "utc"
    ),
    "outcome shares": lambda c: figures.outcome_shares(
        hostile(queries.delivery_by_recipient(c, F, kind="delivery")), "Outcomes"
    ),
    "recipient x day": lambda c: figures.recipient_day_heatmap(
        hostile(queries.delivery_daily(c, F, kind="delivery")), "error"
    ),
    "latency": lambda c: figures.latency_percentiles(
        hostile(queries.delivery_by_recipient(c, F, kind="delivery")), "Latency"
    ),
    "failure reasons": lambda c: figures.failure_reasons(
        hostile(queries.delivery_failures(c, F, kind="delivery"))
    ),
    "revenue by buyer": lambda c: figures.revenue_by_recipient(
        hostile(queries.delivery_daily(c, F, kind="delivery"))
    ),
    "source returns": lambda c: figures.source_returns(hostile(queries.source_scorecard(c, F))),
    "roi": lambda c: figures.horizontal_bars(
        by_roi(hostile(queries.source_scorecard(c, F))), "label", "roi", "ROI"
    ),
    "small multiples": lambda c: figures.small_multiples(
        hostile(queries.source_quality_daily(c, F)), "return_rate", "Return rate"
    ),
    "certificate status": lambda c: figures.certificate_status(
        hostile(queries.trustedform_by_source(c, F))
    ),
    "input methods": lambda c: figures.input_methods(hostile(queries.trustedform_by_source(c, F))),
    "returns vs thresholds": lambda c: figures.returns_against_thresholds(
        hostile(queries.returns_by_buyer(c, F))
    ),
    "return reasons": lambda c: figures.return_reasons(hostile(queries.return_reasons(c, F))),
    "duplicate windows": lambda c: figures.window_heatmap(
        hostile(queries.duplicates_by_window(c, F, by="source")),
        "source",
        "duplicate_rate",
        "Duplicates",
    ),
    "cap reached": lambda c: commerce_figures.cap_reached_heatmap(
        hostile(queries.cap_pacing_daily(c, F))
    ),
    "monthly caps": lambda c: commerce_figures.monthly_cap_use(
        hostile(queries.cap_pacing_monthly(c, F))
    ),
    "buyer x hour": lambda c: commerce_figures.response_hour_heatmap(
        hostile(queries.buyer_response_hourly(c, F))
    ),
    "buyer latency per day": lambda c: commerce_figures.response_over_time(
        hostile(queries.buyer_response_daily(c, F))
    ),
    "return curves": lambda c: commerce_figures.return_curves(
        hostile(queries.feedback_curves(c, F))
    ),
    "profit by source": lambda c: commerce_figures.profit_by_source(
        hostile(queries.supplier_pnl(c, F))
    ),
}


@pytest.mark.parametrize("name", list(OUTSIDE_FIGURES))
def test_outside_text_reaches_the_figures_as_entities(con, name):
    texts = list(strings(OUTSIDE_FIGURES[name](con).to_plotly_json()))
    assert any('&lt;a href="https://evil.example"&gt;x&lt;/a&gt;&lt;b&gt;' in t for t in texts)
    assert not [t for t in texts if "<a" in t or "<b>" in t], name


def test_outside_text_in_the_lead_timeline_arrives_as_entities():
    t0 = pd.Timestamp("2026-10-30 00:00:00")
    events = pd.DataFrame(
        {
            "event_type": ["source", "filter"],
            "outcome": ["failure", "stop"],
            "reason": [EVIL, "<br>&amp;"],
            "started_at": [t0, t0 + pd.Timedelta(milliseconds=5)],
            "ended_at": [t0 + pd.Timedelta(milliseconds=900), t0 + pd.Timedelta(milliseconds=6)],
            "step_name": [None, EVIL],
            "recipient_name": [None, None],
            "step_id": [None, "abc123"],
        }
    )
    bars = figures.lead_timeline(events).data[0]
    assert list(bars.y) == ["1. source", "2. filter " + plot_entities(EVIL)]
    assert [list(row) for row in bars.customdata] == [
        ["failure", plot_entities(EVIL)],
        ["stop", "&lt;br&gt;&amp;amp;"],
    ]


def plot_entities(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
