"""The lead-quality page (issue 15): its queries on hand-made marts (exact numbers), its figures,
and the page served by `streamlit run` in headless Chromium over ten simulated days with their
stories, with a screenshot under artifacts/dashboards/ (quality.png)."""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import pandas as pd
import pytest

from dashboards import figures, serving
from dashboards.queries import Filters, quality
from ingest.ops.config import load_alerts
from tests.conftest import build
from tests.dashboards.test_dashboard_browser import ERRORS, screenshot, settle, streamlit_server

NEWEST = date(2026, 11, 20)
SAMPLE = dict(leads=6000, days=10, seed=7)


@pytest.fixture
def con(tmp_path):
    """fct_duplicates_daily over 45 days (source S: 10 leads a day, 1 duplicate on even days,
    4 on the last 3; buyer B: 20 deliveries a day, 1 refused), fct_returns_daily and
    fct_return_reasons_daily for two buyers."""
    connection = duckdb.connect(str(tmp_path / "serving.duckdb"))
    connection.execute("create schema marts")
    connection.execute(
        "create table marts.fct_duplicates_daily (day date, flow_name varchar, source_name"
        " varchar, recipient_id varchar, recipient_name varchar, leads bigint,"
        " duplicate_rejections bigint, suppression_checks bigint, suppression_hits bigint,"
        " deliveries bigint, buyer_duplicates bigint)"
    )
    for back in range(45):
        day = NEWEST - timedelta(days=back)
        dups = 4 if back < 3 else (1 if back % 2 == 0 else 0)
        connection.execute(
            "insert into marts.fct_duplicates_daily values"
            " (?, 'F', 'S', '(none)', null, 10, ?, 10, ?, 0, 0),"
            " (?, 'F', 'S', 'b', 'B', 0, 0, 0, 0, 20, 1)",
            [day, dups, dups, day],
        )
    connection.execute(
        "create table marts.fct_returns_daily (delivery_date date, flow_name varchar,"
        " source_name varchar, recipient_name varchar, sold bigint, returned bigint,"
        " returned_revenue decimal(18, 4))"
    )
    connection.execute(
        "insert into marts.fct_returns_daily values"
        " (?, 'F', 'S', 'Strict', 100, 12, 120), (?, 'F', 'S', 'Loose', 100, 14, 140)",
        [NEWEST, NEWEST],
    )
    yield connection
    connection.close()


def test_duplicate_windows_end_on_the_filters_end_date_or_the_newest_day(con):
    by_source = quality.duplicates_by_window(con, Filters(), by="source")
    assert list(by_source["window_days"]) == list(quality.WINDOWS)
    assert set(by_source["as_of"]) == {NEWEST}
    rates = dict(zip(by_source["window_days"], by_source["duplicate_rate"], strict=True))
    assert rates[3] == pytest.approx(12 / 30)  # the last 3 days: 4 each
    assert rates[7] == pytest.approx((12 + 2) / 70)  # + 2 even days of the 4 before
    assert rates[45] == pytest.approx((12 + 21) / 450)
    # ending 3 days earlier, the last days' burst is outside every window's end
    earlier = quality.duplicates_by_window(
        con, Filters(start=date(2026, 11, 16), end=NEWEST - timedelta(days=3)), by="source"
    )
    assert earlier.loc[earlier["window_days"] == 3, "duplicate_rate"].item() == pytest.approx(
        1 / 30
    )
    assert set(earlier["leads"]) == {30, 70, 150, 300, 420}  # not cut by the start date
    by_buyer = quality.duplicates_by_window(con, Filters(), by="buyer")
    assert set(by_buyer["buyer"]) == {"B"}
    assert by_buyer["buyer_duplicate_rate"].tolist() == pytest.approx([0.05] * 5)
    assert quality.duplicates_by_window(con, Filters(sources=("nobody",))).empty


def test_buyers_are_judged_by_their_own_threshold(con):
    frame = quality.returns_by_buyer(con, Filters(), 0.15, (("Strict", 0.10),))
    over = dict(zip(frame["buyer"], frame["over_threshold"], strict=True))
    assert over == {"Loose": False, "Strict": True}
    assert frame.set_index("buyer").loc["Strict", "threshold"] == 0.10
    fig = figures.returns_against_thresholds(frame)
    bars, marks = fig.data
    assert list(bars.y) == ["Strict", "Loose"]  # lowest rate first: highest on top
    colors = dict(zip(bars.y, bars.marker.color, strict=True))
    assert colors == {"Strict": "#c62828", "Loose": "#6a1b9a"}
    assert dict(zip(marks.y, marks.x, strict=True)) == {"Strict": 0.10, "Loose": 0.15}


def test_thresholds_and_window_come_from_the_shipped_alert_rule():
    rule = quality.return_rule(load_alerts(environ={}))
    assert rule.default == 0.15 and dict(rule.per_buyer) == {"Learnwell Academy": 0.10}
    assert (rule.window_days, rule.mature_days) == (14, 5)
    assert quality.return_rule(None) == quality.ReturnRule()
    # the alert's window: 14 delivery days ending 5 days before the last selected day
    window = rule.window(Filters(start=date(2026, 11, 18), end=NEWEST, sources=("S",)), NEWEST)
    assert (window.start, window.end, window.sources) == (
        date(2026, 11, 2),
        date(2026, 11, 15),
        ("S",),
    )
    assert rule.window(Filters(), NEWEST).end == date(2026, 11, 15)


def test_certificate_figures_stack_every_status_and_method():
    by_source = pd.DataFrame(
        {
            "source": ["Aged", "Fresh"],
            "checks": [100, 100],
            "claimed": [55, 95],
            "unclaimed": [40, 1],
            "unclaimed_near_expiry": [38, 0],
            "near_expiry_rate": [0.4, 0.0],
            "expired": [1, 1],
            "not_found": [2, 1],
            "missing": [2, 2],
            "typed_share": [0.25, 0.8],
            "autofill_share": [0.25, 0.15],
            "pasted_share": [0.5, 0.05],
        }
    )
    status = figures.certificate_status(by_source)
    assert [trace.name for trace in status.data] == [
        name for name, _ in figures.quality.CERTIFICATE_PARTS.values()
    ]
    near = next(t for t in status.data if t.name == "unclaimed, near expiry")
    assert dict(zip(near.y, near.x, strict=True)) == {"Fresh": 0, "Aged": 38}
    assert list(near.y)[-1] == "Aged"  # the worst on top
    unclaimed = next(t for t in status.data if t.name == "unclaimed")
    assert dict(zip(unclaimed.y, unclaimed.x, strict=True)) == {"Fresh": 1, "Aged": 2}
    methods = figures.input_methods(by_source)
    assert sum(trace.x[-1] for trace in methods.data) == pytest.approx(1.0)
    heat = figures.window_heatmap(
        pd.DataFrame(
            {"window_days": [3, 7, 3, 7], "s": ["A", "A", "B", "B"], "r": [0.1, 0.2, 0.3, 0.4]}
        ),
        "s",
        "r",
        "t",
    ).data[0]
    assert list(heat.x) == ["3 days", "7 days"] and list(heat.y) == ["A", "B"]
    empty = pd.DataFrame({"window_days": [3], "s": ["A"], "r": [None]})
    assert figures.window_heatmap(empty, "s", "r", "t").data == ()


@pytest.fixture(scope="module")
def sample_home(tmp_path_factory):
    """Ten days of the simulated operation (its stories included), built through Dagster."""
    from ingest.paths import Paths
    from ingest.simulator.run import simulate

    paths = Paths(tmp_path_factory.mktemp("quality"))
    summary = simulate(paths.landing, **SAMPLE)
    assert build(paths), "the build failed; see the Dagster log above"
    return paths, summary


@pytest.mark.browser
def test_the_quality_page_shows_the_stories(browser, sample_home, tmp_path):
    """Served over the simulated stories with the default filters (the last 7 days): the
    aged-certificates source leads the TrustedForm view, the returns buyer is over its threshold
    (the alert's window) and the duplicates source tops the suppression-list hits. Screenshot:
    artifacts/dashboards/quality.png."""
    paths, summary = sample_home
    stories = summary.stories
    with streamlit_server(paths.home, tmp_path / "streamlit.log") as base:
        page = browser.new_page(viewport={"width": 1500, "height": 1000})
        page.goto(base + "/quality")
        page.get_by_role("heading", name="Lead quality", level=1).wait_for(timeout=60_000)
        settle(page)
        text = page.locator('[data-testid="stMain"]').inner_text()
        shot = screenshot(page, "quality")
        assert page.locator(ERRORS).count() == 0
        page.close()
    assert shot.stat().st_size > 10_000
    assert f"{stories['aged_certificates']['source_name']}: " in text
    assert f"Over their threshold: {stories['returns_buyer']['recipient_name']} (" in text
    with serving.connect(paths.serving) as con:
        windows = quality.duplicates_by_window(con, Filters(), by="source")
    top = windows[windows["window_days"] == 7].nlargest(1, "suppression_hit_rate")
    assert top["source"].item() == stories["duplicates_source"]["source_name"]
