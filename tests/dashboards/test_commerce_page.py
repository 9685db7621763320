"""The commerce page ("Buyers & suppliers"): its queries follow the filters (dates, the flow
filter as the flow's buyers and sources, the source filter on sources only), its figures draw
what the queries return, each view runs and shows its story, and a browser sees every view."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

import pandas as pd
import pytest

from dashboards.figures import commerce as figures
from dashboards.queries import Filters
from dashboards.queries import commerce as queries
from ingest.simulator.world import CAP_BUYER, SLOW_BUYER
from tests.dashboards.test_dashboard_app import assert_clean, metric, run_page
from tests.dashboards.test_dashboard_browser import ERRORS, screenshot, served, settle, story

__all__ = ["served", "story"]  # fixtures of the browser test, used here too
PAGE = "app_pages/commerce.py"
TITLE = "Buyers & suppliers"


@pytest.fixture(scope="module")
def flow_buyers(con) -> tuple[str, set[str]]:
    """The flow of the cap buyer, and the names of that flow's buyers."""
    flow = con.execute(
        "select flow_name from marts.dim_steps where recipient_name = $name", {"name": CAP_BUYER}
    ).fetchone()[0]
    buyers = {
        row[0]
        for row in con.execute(
            "select recipient_name from marts.dim_steps"
            " where flow_name = $flow and recipient_kind = 'delivery'",
            {"flow": flow},
        ).fetchall()
    }
    return flow, buyers


def test_the_flow_filter_keeps_that_flow_buyers_and_sources(con, flow_buyers):
    flow, buyers = flow_buyers
    narrowed = Filters(flows=(flow,))
    assert set(queries.buyer_response_by_buyer(con, narrowed)["buyer"]) == buyers
    assert set(queries.buyer_response_hourly(con, narrowed)["buyer"]) == buyers
    assert set(queries.feedback_curves(con, narrowed)["buyer"]) <= buyers
    caps = queries.cap_pacing_summary(con, narrowed)
    assert set(caps.loc[caps["kind"] == "recipient", "name"]) <= buyers
    sources = {
        row[0]
        for row in con.execute(
            "select source_name from marts.fct_leads where flow_name = $flow", {"flow": flow}
        ).fetchall()
    }
    assert set(queries.supplier_pnl(con, narrowed)["source"]) == sources
    assert set(caps.loc[caps["kind"] == "source", "name"]) <= sources


def test_the_source_filter_applies_to_sources_not_buyers(con):
    everything = queries.supplier_pnl(con, Filters())
    source = everything.groupby("source")["leads"].sum().idxmax()
    narrowed = Filters(sources=(source,))
    pnl = queries.supplier_pnl(con, narrowed)
    assert set(pnl["source"]) == {source}
    assert pnl["leads"].sum() == everything.loc[everything["source"] == source, "leads"].sum()
    # buyers answer every source's leads: the source filter leaves them all
    assert len(queries.buyer_response_by_buyer(con, narrowed)) == len(
        queries.buyer_response_by_buyer(con, Filters())
    )
    caps = queries.cap_pacing_summary(con, narrowed)
    assert set(caps.loc[caps["kind"] == "source", "name"]) <= {source}


def test_the_date_range_narrows_days_and_keeps_whole_months(con):
    first, last = con.execute(
        "select min(delivery_date), max(delivery_date) from marts.fct_buyer_response_daily"
    ).fetchone()
    one_day = Filters(start=last, end=last)
    daily = queries.buyer_response_daily(con, one_day)
    assert set(daily["day"].dt.date) == {last}
    expected = con.execute(
        "select sum(calls) from marts.fct_buyer_response_daily where delivery_date = $day",
        {"day": last},
    ).fetchone()[0]
    assert queries.buyer_response_by_buyer(con, one_day)["calls"].sum() == expected
    cohorts = queries.feedback_cohorts(con, one_day)
    assert set(cohorts["cohort"].dt.date) <= {last}
    # the P&L is monthly: a day in a month shows the whole month
    pnl = queries.supplier_pnl(con, one_day)
    whole = con.execute(
        "select sum(leads) from marts.fct_supplier_pnl_monthly"
        " where pnl_month = date_trunc('month', $day::date)",
        {"day": last},
    ).fetchone()[0]
    assert pnl["leads"].sum() == whole
    assert queries.cap_pacing_daily(con, Filters(end=first - timedelta(days=1))).empty


def test_the_cap_figure_marks_when_each_cap_was_first_reached(con):
    daily = queries.cap_pacing_daily(con, Filters())
    fig = figures.cap_reached_heatmap(daily)
    heatmap = fig.data[0]
    assert CAP_BUYER in heatmap.y
    row = list(heatmap.y).index(CAP_BUYER)
    first = daily[(daily["name"] == CAP_BUYER) & daily["first_capped_at"].notna()].iloc[0]
    column = list(heatmap.x).index(first["day"].strftime("%Y-%m-%d"))
    assert heatmap.text[row][column] == first["first_capped_at"].strftime("%H:%M")


def test_the_response_heatmap_sorts_buyers_by_their_worst_hour(con):
    hourly = queries.buyer_response_hourly(con, Filters())
    fig = figures.response_hour_heatmap(hourly, "latency_ms_p50")
    assert list(fig.data[0].x) == list(range(24))
    z = pd.DataFrame(fig.data[0].z, index=list(fig.data[0].y))
    worst = z.max(axis=1)
    assert list(worst) == sorted(worst)  # by the buyer's worst hour: the slowest on top
    assert z.median(axis=1).idxmax() == SLOW_BUYER  # slow in most hours
    timeouts = figures.response_hour_heatmap(hourly, "timeout_rate")
    assert timeouts.layout.coloraxis is not None
    daily = queries.buyer_response_daily(con, Filters())
    lines = figures.response_over_time(daily)
    assert {trace.name for trace in lines.data} == set(daily["buyer"])


def test_the_cohort_and_profit_figures(con):
    cohorts = queries.feedback_cohorts(con, Filters())
    heat = figures.cohort_heatmap(cohorts)
    assert len(heat.data[0].y) == cohorts["cohort"].nunique()
    curves = figures.return_curves(queries.feedback_curves(con, Filters()))
    assert curves.data
    pnl = queries.supplier_pnl(con, Filters())
    bars = figures.profit_by_source(pnl).data[0]
    totals = pnl.groupby("source")["profit"].sum()
    assert list(bars.y) == list(totals.sort_values().index)
    for profit, color in zip(bars.x, bars.marker.color, strict=True):
        assert (color == "#c62828") == (profit < 0)


@pytest.mark.parametrize(
    ("view", "label"),
    [
        ("Cap pacing", "Leads turned away by caps"),
        ("Buyer response", "Buyer calls"),
        ("Feedback cohorts", None),
        ("Supplier P&L", "Profit"),
    ],
)
def test_every_view_runs_and_shows_its_charts(built_home, view, label):
    at = run_page(built_home[0].home, PAGE, {"view": view})
    assert_clean(at, TITLE)
    assert at.get("plotly_chart"), view
    assert at.get("download_button"), view
    if label:
        assert metric(at, label)


def test_the_response_view_names_the_slow_buyer(built_home):
    at = run_page(built_home[0].home, PAGE, {"view": "Buyer response"})
    assert any(SLOW_BUYER in block.value for block in at.markdown)


@pytest.mark.browser
def test_a_browser_sees_every_view(browser, served):
    page = browser.new_page(viewport={"width": 1500, "height": 1000})
    texts = {
        "Cap pacing": "When the daily cap was first reached",
        "Buyer response": "by buyer and hour of day",
        "Feedback cohorts": "by submission-day cohort",
        "Supplier P&L": "Profit by source",
    }
    for view, text in texts.items():
        page.goto(f"{served}/commerce?view={quote(view)}")
        page.get_by_role("heading", name=TITLE, level=1).wait_for(timeout=60_000)
        settle(page)
        page.get_by_text(text).first.wait_for(timeout=60_000)
        screenshot(page, f"commerce-view-{view.split()[0].lower()}")
        assert page.locator(ERRORS).count() == 0, view
    page.close()
