"""The lead-operation simulator: determinism, event shape, lead consistency, counts and faults."""

from __future__ import annotations

import csv
import io
import re
import statistics
from collections import Counter, defaultdict
from datetime import UTC, datetime

import orjson
import pytest

from ingest.landing.readers import SUBMISSION_META
from ingest.simulator.faults import EVENT_FAULT_KINDS
from ingest.simulator.run import SAMPLE
from ingest.simulator.world import ALL_FIELDS, DELIVERY_MODULE
from tests.simulator.reread import Landing, day_of, simulated

HEX24 = re.compile(r"^[0-9a-f]{24}$")
TOP_LEVEL = (
    "id",
    "type",
    "outcome",
    "reason",
    "start_timestamp",
    "end_timestamp",
    "ms",
    "wait_ms",
    "overhead_ms",
    "total_ms",
    "host",
    "handler_version",
    "version",
    "expires_at",
    "cap_reached",
    "vars",
)
# What recipient and retry events say about their step and recipient.
RECIPIENT_STEP_FIELDS = (
    "step_id",
    "module_id",
    "package_version",
    "key",
    "sale_price",
    "revenue",
    "cost",
)
BY_TYPE = {
    "source": (
        "module_id",
        "step_count",
        "acceptance_criteria",
        "appended",
        "request",
        "response",
        "purchase_price",
        "cost",
    ),
    "filter": ("step_id", "rule_set"),
    "recipient": RECIPIENT_STEP_FIELDS + ("caps_reached", "transactions"),
    "retry": RECIPIENT_STEP_FIELDS + ("transactions", "retry_status"),
    "feedback-received": ("recipient_event_id", "step_id", "module_id"),
    "feedback-sent": ("recipient_event_id", "step_id", "module_id"),
}
OUTCOMES = {
    "source": {"success", "failure", "error"},
    "filter": {"continue", "stop", "error"},
    "recipient": {"success", "failure", "error", "skip"},
    "retry": {"success", "failure", "error", "skip"},
    "feedback-received": {"success", "failure", "error"},
    "feedback-sent": {"success", "failure", "error", "skip"},
}
STEP_TYPES = ("filter", "recipient")


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> Landing:
    return simulated(tmp_path_factory.mktemp("clean"))


@pytest.fixture(scope="module")
def faulty(tmp_path_factory) -> Landing:
    # enough records for every fault kind to occur
    return simulated(tmp_path_factory.mktemp("faulty"), leads=1500, days=3, faults=True)


@pytest.fixture(scope="module")
def stories(tmp_path_factory) -> Landing:
    return simulated(tmp_path_factory.mktemp("stories"), leads=6000, days=7, layout="ndjson")


# --------------------------------------------------------------------------- determinism


def test_same_seed_same_bytes_for_any_worker_count(tmp_path, faulty):
    again = simulated(tmp_path / "again", leads=1500, days=3, faults=True)
    parallel = simulated(tmp_path / "parallel", leads=1500, days=3, faults=True, workers=2)
    reference = faulty.files()
    assert len(reference) > 10
    assert again.files() == reference
    assert parallel.files() == reference


def test_different_seed_differs(tmp_path, clean):
    other = simulated(tmp_path / "other", seed=8)
    assert other.files() != clean.files()
    assert {submission["lead_id"] for submission in other.submissions}.isdisjoint(
        {submission["lead_id"] for submission in clean.submissions}
    )


def test_sample_is_the_documented_demo():
    assert SAMPLE == dict(leads=30000, days=21, seed=7)


# --------------------------------------------------------------------------- layout and shape


def test_layout_on_disk(clean):
    names = sorted(path.name for path in (clean.root / "events" / "batches").iterdir())
    assert names == [f"events-2026-10-{day}.ndjson" for day in (26, 27, 28)]
    subs = sorted(path.name for path in (clean.root / "submissions").iterdir())
    assert subs == [f"submissions-2026-10-{day}.ndjson" for day in (26, 27, 28)]
    # mixed layout: a few leads in Firehose layout, <lead id>/<event id>.json
    assert clean.firehose
    for path, data in clean.firehose:
        ev = orjson.loads(data)
        assert path.name == ev["id"] + ".json"
        assert path.parent.name == ev["vars"]["lead"]["id"]
    firehose_leads = {path.parent.name for path, _ in clean.firehose}
    ndjson_leads = {orjson.loads(line)["vars"]["lead"]["id"] for _, line in clean.lines}
    assert firehose_leads.isdisjoint(ndjson_leads)
    assert 0 < len(firehose_leads) < 0.15 * 300
    assert not (clean.root / "events" / "firehose" / "leadconduit-credentials-test.txt").exists()


def test_every_event_has_the_documented_keys(clean):
    assert clean.events
    for ev in clean.events.values():
        for key in TOP_LEVEL:
            assert key in ev, (key, ev["type"])
        for key in BY_TYPE[ev["type"]]:
            assert key in ev, (key, ev["type"])
        assert HEX24.match(ev["id"])
        assert HEX24.match(ev["vars"]["lead"]["id"])
        assert ev["outcome"] in OUTCOMES[ev["type"]]
        assert ev["end_timestamp"] >= ev["start_timestamp"]
        assert ev["ms"] == ev["end_timestamp"] - ev["start_timestamp"]
        assert ev["expires_at"].endswith("Z")
        # ObjectId: first 4 bytes are epoch seconds close to the event's time
        assert abs(int(ev["id"][:8], 16) - ev["end_timestamp"] // 1000) <= 1
        if "step_id" in ev:
            assert len(ev["step_id"]) == 6
        if ev["type"] in ("recipient", "retry"):
            assert ev["ms"] == ev["wait_ms"] + ev["overhead_ms"]
            for txn in ev["transactions"]:
                assert set(txn) == {"request", "response", "ms"}
        for key in ("submission", "flow", "source"):
            assert key in ev["vars"]


def test_lead_values_mix_strings_and_parsed_objects(clean):
    parsed = [
        ev
        for ev in clean.events.values()
        if ev["type"] == "recipient" and isinstance(ev["vars"]["lead"].get("phone_1"), dict)
    ]
    assert parsed
    assert all(ev["module_id"] != DELIVERY_MODULE for ev in parsed)
    for ev in parsed:
        phone = ev["vars"]["lead"]["phone_1"]
        assert {"normal", "raw", "valid"} <= set(phone)
    for ev in clean.events.values():
        if ev["type"] == "source":
            assert all(isinstance(value, str) for value in ev["vars"]["lead"].values())


def test_average_event_size_and_count(clean):
    sizes = [len(line) for _, line in clean.lines]
    assert statistics.mean(sizes) < 1600
    assert 4.5 < len(clean.events) / 300 < 7.5


# --------------------------------------------------------------------------- lead consistency


def test_one_source_event_per_lead_written_last(clean):
    leads = {submission["lead_id"] for submission in clean.submissions}
    assert set(clean.by_lead) == leads
    for lead_id, events in clean.by_lead.items():
        sources = [event for event in events if event["type"] == "source"]
        assert len(sources) == 1, lead_id
        src = sources[0]
        steps = sorted(
            (event for event in events if event["type"] in STEP_TYPES),
            key=lambda event: event["start_timestamp"],
        )
        assert src["step_count"] == len(steps)
        if steps:
            assert src["end_timestamp"] >= max(event["end_timestamp"] for event in steps)
            for earlier, later in zip(steps, steps[1:], strict=False):
                assert later["start_timestamp"] >= earlier["end_timestamp"]
        else:
            assert src["outcome"] in ("failure", "error")
        submitted = src["start_timestamp"]
        for event in events:
            assert event["total_ms"] == event["end_timestamp"] - submitted
        if src["outcome"] == "failure" and steps:
            stops = [
                event for event in steps if event["type"] == "filter" and event["outcome"] == "stop"
            ]
            if stops:
                assert stops[0]["reason"] == src["reason"]
                assert stops[0] is steps[-1]


def test_feedback_points_at_a_delivery(clean):
    feedback = [event for event in clean.events.values() if event["type"].startswith("feedback")]
    assert feedback
    for fb in feedback:
        target = clean.events[fb["recipient_event_id"]]
        assert target["type"] == "recipient"
        assert target["module_id"] == DELIVERY_MODULE
        assert target["outcome"] == "success"
        assert target["vars"]["lead"]["id"] == fb["vars"]["lead"]["id"]
        assert fb["start_timestamp"] >= target["end_timestamp"] + 86_400_000 - 1000
        assert fb["vars"]["feedback"]["type"] in ("return", "conversion")


def test_submissions_match_the_source_events(clean):
    assert len(clean.submissions) == 300
    for sub in clean.submissions:
        assert set(sub) == set(SUBMISSION_META) | {"fields"}
        assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", sub["submitted_at"])
        src = next(event for event in clean.by_lead[sub["lead_id"]] if event["type"] == "source")
        lead = dict(src["vars"]["lead"])
        assert lead.pop("id") == sub["lead_id"]
        assert lead == sub["fields"]
        assert src["vars"]["submission"]["timestamp"] == sub["submitted_at"]
        assert src["vars"]["flow"]["id"] == sub["flow_id"]
        assert src["vars"]["source"]["name"] == sub["source_name"]


def test_events_are_in_the_file_of_their_write_day_sorted(clean):
    for file_day, line in clean.lines:
        ev = orjson.loads(line)
        assert day_of(ev["end_timestamp"]) == file_day
    by_file = defaultdict(list)
    for file_day, line in clean.lines:
        by_file[file_day].append(orjson.loads(line)["end_timestamp"])
    for ts in by_file.values():
        assert ts == sorted(ts)


# --------------------------------------------------------------------------- counts and faults


def _check_summary(landing: Landing) -> None:
    summary = landing.summary
    valid_ids = {ev["id"] for _, ev, _ in landing.good}
    assert summary["events"] == len(valid_ids)
    assert summary["event_records"] == len(landing.lines) + sum(
        1 for path, _ in landing.firehose if path.suffix == ".json"
    )
    assert (
        summary["event_records"]
        == summary["events"] + summary["duplicates_events"] + summary["quarantine_expected_events"]
    )
    assert summary["leads"] == len({sub["lead_id"] for sub in landing.submissions})
    assert summary["submissions"] == len(landing.submissions)
    data_files = [
        path
        for path in landing.root.rglob("*")
        if path.is_file() and path.name != "simulation.json"
    ]
    assert summary["files"] == len(data_files)
    assert summary["events_by_type"] == dict(Counter(ev["type"] for ev in landing.events.values()))


def test_summary_matches_disk_without_faults(clean):
    _check_summary(clean)
    assert not clean.bad
    assert clean.summary["quarantine_expected_events"] == 0
    assert clean.summary["duplicates_events"] == 0
    assert set(clean.summary["faults_by_kind"].values()) == {0}
    assert len(clean.good) == len(clean.events)  # no event written twice


def test_fault_counts_match_a_reread(faulty):
    summary = faulty.summary
    kinds = summary["faults_by_kind"]
    _check_summary(faulty)
    for kind in EVENT_FAULT_KINDS:
        assert kinds[kind] > 0, kind
    assert faulty.bad["malformed_json"] == kinds["malformed_json"]
    assert faulty.bad["non_utf8"] == kinds["non_utf8"]
    assert faulty.bad["missing_id"] == kinds["missing_id"]
    assert summary["quarantine_expected_events"] == sum(faulty.bad.values())
    # duplicates: exact byte copies in the next day's file
    copies = Counter(line for _, _, line in faulty.good)
    assert (
        sum(count - 1 for count in copies.values())
        == kinds["duplicate"]
        == summary["duplicates_events"]
    )
    seen_in = defaultdict(list)
    for file_day, ev, _ in faulty.good:
        seen_in[ev["id"]].append(file_day)
    late = 0
    for event_id, days in seen_in.items():
        own = day_of(faulty.events[event_id]["end_timestamp"])
        if len(days) == 2:
            assert days[0] == own and days[1] > own
        elif days[0] != "firehose" and days[0] != own:
            assert days[0] > own
            late += 1
    assert late == kinds["late"]
    extra = sum(1 for ev in faulty.events.values() if "x_firehose_delivery_attempt" in ev)
    assert extra == kinds["extra_fields"]
    assert faulty.bad_submissions == Counter(
        {kind: count for kind, count in kinds.items() if kind.startswith("submission_") and count}
    )
    assert summary["quarantine_expected_submissions"] == sum(faulty.bad_submissions.values())
    assert kinds["non_json_file"] == 1
    assert (faulty.root / "events" / "firehose" / "leadconduit-credentials-test.txt").is_file()
    # every lead still has all of its valid events
    for events in faulty.by_lead.values():
        assert sum(1 for event in events if event["type"] == "source") == 1


def test_faults_keep_the_valid_data(tmp_path, faulty):
    clean = simulated(tmp_path / "clean", leads=1500, days=3, faults=False)
    strip = ("x_firehose_delivery_attempt", "_ingest")
    faulty_events = {
        event_id: {key: value for key, value in event.items() if key not in strip}
        for event_id, event in faulty.events.items()
    }
    assert faulty_events == clean.events


def test_csv_submissions(tmp_path, clean):
    landing = simulated(tmp_path / "csv", submissions_format="csv")
    paths = sorted((landing.root / "submissions").iterdir())
    assert [path.name for path in paths] == [
        f"submissions-2026-10-{day}.csv" for day in (26, 27, 28)
    ]
    rows = []
    for path in paths:
        reader = csv.reader(io.StringIO(path.read_text(), newline=""))
        header = next(reader)
        assert header == list(SUBMISSION_META) + list(ALL_FIELDS)
        for row in reader:
            assert len(row) == len(header)
            rows.append(dict(zip(header, row, strict=True)))
    ndjson = {submission["lead_id"]: submission for submission in clean.submissions}
    assert len(rows) == len(ndjson)
    for row in rows:
        sub = ndjson[row["lead_id"]]
        assert {key: row[key] for key in SUBMISSION_META} == {
            key: sub[key] for key in SUBMISSION_META
        }
        assert {
            field: value for field, value in row.items() if field in ALL_FIELDS and value != ""
        } == sub["fields"]
    assert landing.events == clean.events  # the format changes nothing else


def test_firehose_layout_and_empty_days(tmp_path):
    landing = simulated(tmp_path / "fh", leads=2, days=4, layout="firehose")
    assert not list((landing.root / "events" / "batches").iterdir())
    assert landing.summary["leads"] == 2
    assert len(landing.firehose) == landing.summary["events"] == landing.summary["firehose_files"]
    assert len(list((landing.root / "submissions").iterdir())) <= 2


# --------------------------------------------------------------------------- stories


def test_stories_are_visible(stories):
    st = stories.summary["stories"]
    sources = [event for event in stories.events.values() if event["type"] == "source"]

    # 1. evening rejections of one source by the phone filter
    ev = st["evening_rejections"]

    def stop_share(evening: bool) -> float:
        mine = [
            event
            for event in sources
            if event["vars"]["source"]["id"] == ev["source_id"]
            and (18 <= datetime.fromtimestamp(event["start_timestamp"] / 1000, UTC).hour < 22)
            == evening
        ]
        stopped = [event for event in mine if event["reason"] == ev["reason"]]
        return len(stopped) / len(mine)

    assert stop_share(True) > 3 * stop_share(False)

    # 2. buyer outage on day 5
    out = st["buyer_outage"]
    deliveries = [
        event
        for event in stories.events.values()
        if event["type"] == "recipient"
        and event["vars"]["recipient"]["id"] == out["recipient_id"]
        and event["outcome"] != "skip"
    ]
    on_day = [event for event in deliveries if day_of(event["start_timestamp"]) == out["date"]]
    other = [event for event in deliveries if day_of(event["start_timestamp"]) != out["date"]]
    assert on_day and all(event["outcome"] == "error" for event in on_day)
    assert {event["reason"] for event in on_day} == {"Server error", "ESOCKETTIMEDOUT"}
    assert sum(event["outcome"] == "error" for event in other) < 0.05 * len(other)
    assert out["date"] == "2026-10-30"

    # 3. one slow enhancement step
    waits = defaultdict(list)
    for event in stories.events.values():
        if (
            event["type"] == "recipient"
            and event["module_id"] != DELIVERY_MODULE
            and event["transactions"]
        ):
            waits[event["step_id"]].append(event["wait_ms"])
    medians = {key: statistics.median(values) for key, values in waits.items()}
    slow = st["slow_step"]["step_id"]
    assert medians[slow] > 2500
    assert all(median < 600 for key, median in medians.items() if key != slow)

    # 4. one source with many returns
    delivered = Counter()
    returned = Counter()
    for event in stories.events.values():
        if (
            event["type"] == "recipient"
            and event["module_id"] == DELIVERY_MODULE
            and event["outcome"] == "success"
        ):
            delivered[event["vars"]["source"]["id"]] += 1
        if event["type"] == "feedback-received" and event["vars"]["feedback"]["type"] == "return":
            returned[event["vars"]["source"]["id"]] += 1
    rates = {source: returned[source] / count for source, count in delivered.items() if count >= 50}
    assert max(rates, key=rates.get) == st["returns_source"]["source_id"]
