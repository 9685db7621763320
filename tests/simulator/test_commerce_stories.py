"""The simulator's commercial stories (issue 15): a buyer that reaches its daily cap in the early
afternoon and one that reaches its monthly cap, a slow buyer with timeouts in its busy hours,
late returns, an unprofitable source; and the caps seed that describes the built-in sample."""

from __future__ import annotations

import csv
import statistics
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ingest.simulator.operation import build_world
from ingest.simulator.run import DEFAULT_START, SAMPLE, simulate
from ingest.simulator.world import DAY_MS
from tests.simulator.test_simulator import Landing

CAPS_SEED = Path(__file__).resolve().parents[2] / "seeds" / "caps.csv"


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> Landing:
    root = tmp_path_factory.mktemp("commerce")
    simulate(root, leads=9000, days=21, seed=7, layout="ndjson")
    return Landing(root)


def _utc(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


def _deliveries(landing: Landing, recipient_id: str) -> list[dict]:
    return [
        event
        for event in landing.events.values()
        if event["type"] == "recipient" and event["vars"]["recipient"]["id"] == recipient_id
    ]


def test_a_buyer_reaches_its_daily_cap_in_the_early_afternoon(landing):
    story = landing.summary["stories"]["cap_pacing"]
    first_capped: dict[str, datetime] = {}
    for event in _deliveries(landing, story["recipient_id"]):
        if event["reason"] == "Recipient cap met":
            assert event["outcome"] == "skip" and event["caps_reached"] is True
            moment = _utc(event["start_timestamp"])
            day = moment.date().isoformat()
            first_capped[day] = min(first_capped.get(day, moment), moment)
    weekdays = [moment for moment in first_capped.values() if moment.weekday() < 5]
    assert len(weekdays) >= 12  # reached on (nearly) every weekday of the three weeks
    hours = [moment.hour + moment.minute / 60 for moment in weekdays]
    assert 13 <= statistics.median(hours) <= 16


def test_a_buyer_reaches_its_monthly_cap_in_the_second_week(landing):
    story = landing.summary["stories"]["cap_pacing"]
    deliveries = _deliveries(landing, story["monthly_cap_recipient_id"])
    capped_days = sorted(
        {
            _utc(event["start_timestamp"]).date()
            for event in deliveries
            if event["reason"] == "Recipient cap met"
        }
    )
    assert capped_days, "the monthly cap was never met"
    first = capped_days[0]
    assert first.month == 11 and 6 <= first.day <= 13
    # from then to the end of the range every delivery to it is skipped
    after = [
        event
        for event in deliveries
        if _utc(event["start_timestamp"]).date() > first and event["outcome"] != "skip"
    ]
    assert after == []
    november = [
        event
        for event in deliveries
        if _utc(event["start_timestamp"]).month == 11 and event["outcome"] == "success"
    ]
    # the simulator plans cap times from the flow's volume: the cap is met at about its size
    assert 0.85 * story["monthly_cap"] <= len(november) <= 1.15 * story["monthly_cap"]


def test_a_slow_buyer_times_out_in_its_busy_hours(landing):
    story = landing.summary["stories"]["slow_buyer"]
    start, end = story["slow_hours_utc"]
    busy, quiet = defaultdict(list), defaultdict(list)
    for event in _deliveries(landing, story["recipient_id"]):
        if event["outcome"] == "skip":
            continue
        group = busy if start <= _utc(event["start_timestamp"]).hour < end else quiet
        group["ms"].append(event["ms"])
        group["timeouts"].append(event["reason"] == "ESOCKETTIMEDOUT")
    busy_rate = sum(busy["timeouts"]) / len(busy["timeouts"])
    quiet_rate = sum(quiet["timeouts"]) / len(quiet["timeouts"])
    assert busy_rate > 0.03 and busy_rate > 5 * quiet_rate
    p99 = statistics.quantiles(busy["ms"], n=100)[98]
    assert p99 > story["timeout_ms"]  # its p99 is over its timeout
    assert statistics.median(quiet["ms"]) > 1500  # slow even when quiet
    # a timed-out call waited about the timeout, no more
    timed_out = [
        event
        for event in _deliveries(landing, story["recipient_id"])
        if event["reason"] == "ESOCKETTIMEDOUT"
    ]
    assert all(
        story["timeout_ms"] <= event["wait_ms"] <= story["timeout_ms"] + 250 for event in timed_out
    )


def test_one_buyer_returns_leads_weeks_late(landing):
    story = landing.summary["stories"]["late_returns"]
    low, high = story["days_after_delivery"]
    delivered = {
        event["id"]: event["end_timestamp"]
        for event in landing.events.values()
        if event["type"] == "recipient" and event["outcome"] == "success"
    }
    delays: dict[bool, list[float]] = defaultdict(list)
    for event in landing.events.values():
        if event["type"] != "feedback-received" or event["vars"]["feedback"]["type"] != "return":
            continue
        late = event["vars"]["recipient"]["id"] == story["recipient_id"]
        delays[late].append(
            (event["start_timestamp"] - delivered[event["recipient_event_id"]]) / DAY_MS
        )
    assert len(delays[True]) >= 5  # few: only the first days' returns arrive within the range
    assert all(low <= delay <= high + 0.01 for delay in delays[True])
    assert max(delays[False]) <= 5.01


def test_one_source_loses_money(landing):
    """Net of returns (a returned delivery's price is given back), one source costs more than
    its leads earn: the one the story names."""
    story = landing.summary["stories"]["unprofitable_source"]
    events = landing.events
    returned = {
        event["recipient_event_id"]
        for event in events.values()
        if event["type"] == "feedback-received" and event["vars"]["feedback"]["type"] == "return"
    }
    profit: Counter = Counter()
    for event in events.values():
        source = event["vars"]["source"]["id"]
        if event["type"] == "source":
            profit[source] -= event["purchase_price"]
        elif event["type"] == "recipient":
            if event["outcome"] == "success" and event["id"] not in returned:
                profit[source] += event["sale_price"]
            profit[source] -= event.get("cost", 0)
    assert profit[story["source_id"]] < 0
    assert [source for source, money in profit.items() if money < 0] == [story["source_id"]]


def test_the_caps_seed_describes_the_built_in_sample():
    """seeds/caps.csv lists the sample's caps (`leadwh simulate` with its defaults)."""
    world = build_world(SAMPLE["seed"], DEFAULT_START, SAMPLE["leads"], SAMPLE["days"])
    expected = {("source", s.name): (s.daily_cap, None) for s in world.sources if s.daily_cap}
    expected |= {
        ("recipient", r.name): (r.daily_cap, r.monthly_cap) for r in world.recipients if r.daily_cap
    }
    with CAPS_SEED.open() as handle:
        rows = {
            (row["cap_kind"], row["entity_name"]): (
                int(row["daily_cap"]) if row["daily_cap"] else None,
                int(row["monthly_cap"]) if row["monthly_cap"] else None,
            )
            for row in csv.DictReader(handle)
        }
    assert rows == expected
