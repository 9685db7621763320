"""The simulator's lead-quality stories (issue 15) and clean days: one run whose first days have
every story and whose last days are clean, compared day group against day group."""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import date, datetime, timedelta

import orjson
import pytest

from ingest.simulator.quality import (
    AGED_CERTS_SOURCE,
    DUPLICATES_SOURCE,
    NO_MATCH_REASON,
    RETURNS_BUYER,
)
from ingest.simulator.run import simulate
from ingest.simulator.world import EVENING_SOURCE, OUTAGE_BUYER, SLOW_STEP_RECIPIENT

RUN = dict(leads=6000, days=6, seed=5, clean_days=3)  # story days 0-2, clean days 3-5
START = date(2026, 10, 26)
FIRST_CLEAN = START + timedelta(days=3)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    landing = tmp_path_factory.mktemp("quality-landing")
    summary = simulate(landing, workers=2, **RUN)
    events = []
    for path in sorted((landing / "events").rglob("*.ndjson")) + sorted(
        (landing / "events").rglob("*.json")
    ):
        text = path.read_bytes()
        lines = text.splitlines() if path.suffix == ".ndjson" else [text]
        events.extend(orjson.loads(line) for line in lines)
    return summary, events


def lead_day(event: dict) -> date:
    return datetime.fromisoformat(event["vars"]["submission"]["timestamp"]).date()


def is_clean(event: dict) -> bool:
    return lead_day(event) >= FIRST_CLEAN


def of(events, **where) -> list[dict]:
    """Events whose (dotted) keys have the given values; `source`/`recipient` match vars names."""
    found = []
    for event in events:
        vars_ = event["vars"]
        if "source" in where and vars_["source"]["name"] != where["source"]:
            continue
        if "recipient" in where and vars_.get("recipient", {}).get("name") != where["recipient"]:
            continue
        if "type" in where and event["type"] != where["type"]:
            continue
        if "module" in where and not str(event.get("module_id", "")).startswith(where["module"]):
            continue
        found.append(event)
    return found


def split(events) -> tuple[list[dict], list[dict]]:
    """(the events of leads submitted on story days, those of clean days)."""
    events = list(events)
    return [e for e in events if not is_clean(e)], [e for e in events if is_clean(e)]


def test_trustedform_appends_dates_input_method_and_the_claim(run):
    _, events = run
    answered = [
        e["trustedform"]
        for e in of(events, type="recipient", module="leadconduit-trustedform.")
        if e["outcome"] == "success"
    ]
    assert answered
    for output in answered:
        created = datetime.fromisoformat(output["created_at"])
        assert datetime.fromisoformat(output["expires_at"]) - created == timedelta(hours=72)
        assert set(output["form_input_method"]) <= {"typing", "paste", "autofill"}
        assert output["retain"]["outcome"] in ("success", "failure")
        if output["retain"]["outcome"] == "failure":
            assert output["retain"]["reason"] == NO_MATCH_REASON


def test_aged_certificates_only_on_story_days(run):
    _, events = run
    story, clean = split(
        e
        for e in of(events, source=AGED_CERTS_SOURCE, module="leadconduit-trustedform.")
        if e["outcome"] == "success"
    )
    aged = [e["trustedform"]["age_in_seconds"] > 48 * 3600 for e in story]
    unclaimed = [e["trustedform"]["retain"]["outcome"] == "failure" for e in story]
    assert len(story) > 30 and all(aged) and 0.25 < sum(unclaimed) / len(story) < 0.55
    assert clean and not any(e["trustedform"]["age_in_seconds"] > 3600 for e in clean)
    others = [
        e["trustedform"]
        for e in of(events, module="leadconduit-trustedform.")
        if e["outcome"] == "success" and e["vars"]["source"]["name"] != AGED_CERTS_SOURCE
    ]
    assert sum(o["retain"]["outcome"] == "failure" for o in others) / len(others) < 0.03


def test_duplicates_source_only_on_story_days(run):
    _, events = run
    story, clean = split(of(events, source=DUPLICATES_SOURCE, module="leadconduit-suppression"))
    found = [
        e["suppressionlist"]["query_item"]["found"] for e in story if e["outcome"] == "success"
    ]
    found_clean = [
        e["suppressionlist"]["query_item"]["found"] for e in clean if e["outcome"] == "success"
    ]
    assert sum(found) / len(found) > 0.2 and sum(found_clean) / len(found_clean) < 0.12


def test_returns_buyer_returns_more_only_on_story_days(run):
    _, events = run
    sold = Counter(
        is_clean(e)
        for e in of(events, type="recipient", recipient=RETURNS_BUYER)
        if e["outcome"] == "success"
    )
    returns = Counter(
        is_clean(e)
        for e in of(events, type="feedback-received", recipient=RETURNS_BUYER)
        if e["vars"]["feedback"]["type"] == "return"
    )
    # clean days' returns are cut short by the end of the range: compare with the other buyers
    others = Counter(
        is_clean(e)
        for e in of(events, type="feedback-received")
        if e["vars"]["feedback"]["type"] == "return"
        and e["vars"]["recipient"]["name"] != RETURNS_BUYER
    )
    assert returns[False] / sold[False] > 0.15
    assert returns[True] <= 0.3 * others[True]


def test_clean_days_have_no_story(run):
    summary, events = run
    assert set(summary.stories) == {
        "evening_rejections",
        "slow_step",
        "returns_source",
        "flow_disabled",  # day 3 of 6: a story day
        "aged_certificates",
        "returns_buyer",
        "duplicates_source",
        "cap_pacing",  # buyers' caps are business rules: they stay on clean days
        "slow_buyer",  # on story days; ordinary on clean days (below)
        "late_returns",
        "unprofitable_source",
        "clean_days",
    }  # no buyer_outage: its day (day 5) is clean
    assert summary.stories["clean_days"] == {"first_date": FIRST_CLEAN.isoformat(), "days": 3}
    story, clean = split(of(events, type="recipient", recipient=SLOW_STEP_RECIPIENT))
    assert statistics.median(e["wait_ms"] for e in story) > 3000
    assert statistics.median(e["wait_ms"] for e in clean) < 600
    outage = [
        e
        for e in of(events, type="recipient", recipient=OUTAGE_BUYER)
        if lead_day(e) == START + timedelta(days=4)
    ]
    assert outage and sum(e["outcome"] == "error" for e in outage) / len(outage) < 0.05
    source_events = of(events, type="source")
    capped = Counter(is_clean(e) for e in source_events if e["reason"] == "Cap reached")
    assert capped[False] > 0 and capped[True] == 0
    _, evening = split(
        e
        for e in of(events, source=EVENING_SOURCE, type="filter")
        if 18 <= datetime.fromisoformat(e["vars"]["submission"]["timestamp"]).hour < 22
    )
    stops = [e for e in evening if e["outcome"] == "stop"]
    assert evening and len(stops) / len(evening) < 0.15


def test_a_wholly_clean_run_lists_no_story_and_is_deterministic(tmp_path):
    first = simulate(tmp_path / "a", leads=300, days=2, seed=3, clean_days=5)
    simulate(tmp_path / "b", leads=300, days=2, seed=3, clean_days=5)
    assert set(first.stories) == {"clean_days"}
    assert first.stories["clean_days"]["days"] == 2
    for path in (tmp_path / "a").rglob("*.ndjson"):
        assert path.read_bytes() == (tmp_path / "b" / path.relative_to(tmp_path / "a")).read_bytes()
    with pytest.raises(ValueError, match="clean_days"):
        simulate(tmp_path / "c", leads=10, days=1, clean_days=-1)
