"""Bad input never stops a batch: odd files and odd times are accounted for, with a reason.

Discovery (land.py and the watcher alike, through entries.py), times (readers.py), the
quarantine's identity and corrected copies of events (raw_store.py)."""

from __future__ import annotations

import os
import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import orjson
import pytest

from ingest.landing import raw_store
from ingest.landing.entries import NAME_HOLDS_SSN
from ingest.landing.land import land
from ingest.landing.readers import (
    PLAUSIBLE_FROM_MS,
    epoch_number_to_ms,
    read_events,
    read_submissions,
)
from ingest.landing.watch import batch_dates, scan

MS = 1793232000123  # 2026-10-29 00:00:00.123 UTC
LEAD = "65f0a0000000000000000aaa"


def event(n: int = 1, **overrides) -> bytes:
    base = {
        "id": f"65f0a00000000000000{n:05d}",
        "type": "source",
        "outcome": "success",
        "start_timestamp": MS,
        "end_timestamp": MS + 500,
        "vars": {"lead": {"id": LEAD}, "flow": {"id": "F1"}, "source": {"id": "S1"}},
    }
    base.update(overrides)
    return orjson.dumps(base)


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def rows(con, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def count(con, sql: str) -> int:
    return con.execute(sql).fetchone()[0]


# --------------------------------------------------------------------------- times


def test_epoch_numbers_are_read_in_the_unit_their_magnitude_says():
    seconds, ms, us, ns = MS // 1000, MS, MS * 1000, MS * 1_000_000
    assert epoch_number_to_ms(seconds) == seconds * 1000
    assert epoch_number_to_ms(ms) == ms
    assert epoch_number_to_ms(us) == ms
    assert abs(epoch_number_to_ms(ns) - ms) <= 1  # float precision at 1e18
    assert epoch_number_to_ms(1e20) is None and epoch_number_to_ms(float("inf")) is None
    lines = [
        event(1, start_timestamp=MS // 1000),  # seconds
        event(2, start_timestamp=str(MS)),  # digits in a string
        event(3, start_timestamp=MS * 1000),  # microseconds
        event(4, start_timestamp="2026-10-29T00:00:00.123Z"),
    ]
    result = read_events("t.ndjson", b"\n".join(lines))
    assert not result.quarantined
    assert [r.event_at_ms for r in result.records] == [MS - 123, MS, MS, MS]


def test_implausible_and_overflowing_times_are_quarantined_not_fatal():
    far = int(datetime(2400, 1, 1, tzinfo=UTC).timestamp() * 1000)
    ahead = int((datetime.now(tz=UTC) + timedelta(days=3)).timestamp() * 1000)
    lines = [
        event(1, start_timestamp=1e20),  # overflows int64 as microseconds
        event(2, start_timestamp=far),  # centuries away
        event(3, start_timestamp=0),  # the epoch: a missing value written as 0
        event(4, start_timestamp=-5),
        event(5, start_timestamp=ahead),  # three days ahead
        event(6, start_timestamp="0001-01-01T00:00:00Z"),
        event(7, start_timestamp=PLAUSIBLE_FROM_MS - 1),
        event(8, start_timestamp=None, end_timestamp=True),
        event(9, start_timestamp="99999-01-01"),
        b'{"id":"65f0a0000000000000000010","type":"source","start_timestamp":1e400}',
        event(11),  # the one good record
    ]
    result = read_events("t.ndjson", b"\n".join(lines))
    assert [r.event_id for r in result.records] == ["65f0a0000000000000000011"]
    reasons = {q.line: q.reason for q in result.quarantined}
    assert len(reasons) == 10
    for line in (1, 2, 3, 4, 5, 6, 7):
        assert "outside the plausible times" in reasons[line] or "not a timestamp" in reasons[line]
    assert "outside the plausible times (2000-01-01 .. " in reasons[2]
    assert reasons[8].startswith("end_timestamp is not a timestamp")
    assert reasons[10].startswith("malformed JSON")
    submissions = b"\n".join(
        [
            orjson.dumps({"lead_id": "L1", "submitted_at": 1e20}),
            orjson.dumps({"lead_id": "L2", "submitted_at": "2400-01-01T00:00:00Z"}),
            orjson.dumps({"lead_id": "L3", "submitted_at": MS // 1000}),
        ]
    )
    result = read_submissions("s.ndjson", submissions)
    assert [r.lead_id for r in result.records] == ["L3"]
    assert result.records[0].submitted_at == datetime(2026, 10, 29)
    assert len(result.quarantined) == 2


def test_one_implausible_date_does_not_widen_the_batch_dates(tmp_path):
    landing = tmp_path / "landing"
    far = int(datetime(2400, 1, 1, tzinfo=UTC).timestamp() * 1000)
    write(
        landing / "events/a.ndjson",
        b"\n".join([event(1), event(2, start_timestamp=far), event(3, start_timestamp=1e20)]),
    )
    assert batch_dates(landing, scan(landing, 0)) == (date(2026, 10, 29), date(2026, 10, 29))


def test_a_byte_order_mark_and_an_oversized_csv_field_do_not_stop_the_file():
    result = read_events("t.ndjson", b"\xef\xbb\xbf" + event(1) + b"\n" + event(2))
    assert len(result.records) == 2 and not result.quarantined
    header = b"id,type,start_timestamp,vars.lead.id,vars.note\n"
    good = b"65f0a0000000000000000001,source,1793232000123,L1,ok\n"
    huge = b"65f0a0000000000000000002,source,1793232000123,L1," + b"x" * 200_000 + b"\n"
    after = b"65f0a0000000000000000003,source,1793232000123,L1,ok\n"
    result = read_events("t.csv", b"\xef\xbb\xbf" + header + good + huge + after)
    assert [r.event_id[-1] for r in result.records] == ["1", "3"]
    assert [(q.line, q.reason.split(":")[0]) for q in result.quarantined] == [
        (3, "CSV row cannot be parsed")
    ]


# --------------------------------------------------------------------------- discovery


@pytest.fixture
def odd_zone(tmp_path):
    """A landing zone holding one of each odd entry next to a good file."""
    landing = tmp_path / "landing"
    events = landing / "events"
    write(events / "batches/good.ndjson", event(1))
    write(tmp_path / "elsewhere/secret.ndjson", event(2))
    (events / "outside.ndjson").symlink_to(tmp_path / "elsewhere/secret.ndjson")
    (events / "dangling.ndjson").symlink_to(events / "missing.ndjson")
    (events / "alias.ndjson").symlink_to(events / "batches/good.ndjson")  # inside: followed
    (events / "folder-link").symlink_to(events / "batches", target_is_directory=True)
    os.mkfifo(events / "pipe.ndjson")
    write(Path(os.fsdecode(bytes(events) + b"/latin-\xe9t\xe9.ndjson")), event(3))
    write(events / "..dotdot.ndjson", event(4))
    write(events / "..k8s/inner.ndjson", event(5))
    write(events / ".hidden.ndjson", event(6))  # in progress (hidden): left for later
    write(events / "batches/x.ndjson.part", event(7))
    write(events / "leads-123-45-6789.ndjson", event(8))  # an SSN in a name: not read
    write(events / "ssn_123456789/inner.ndjson", event(9))  # in a folder's name
    return landing


EXPECTED = {
    "alias.ndjson": ("loaded", None),
    "batches/good.ndjson": ("loaded", None),
    "dangling.ndjson": ("ignored", "dangling symlink (its target does not exist)"),
    "folder-link": ("ignored", "symlink to a folder, not followed"),
    "latin-\\xe9t\\xe9.ndjson": ("loaded", "file name is not valid UTF-8 (escaped)"),
    "outside.ndjson": ("ignored", "symlink to outside the landing zone, not followed"),
    "pipe.ndjson": ("ignored", "a FIFO, not read"),
    "..dotdot.ndjson": ("loaded", None),
    "..k8s/inner.ndjson": ("loaded", None),
    "leads-***-**-6789.ndjson": ("ignored", NAME_HOLDS_SSN),
    "ssn_*****6789/inner.ndjson": ("ignored", NAME_HOLDS_SSN),
}


def land_with_timeout(con, landing, seconds=60):
    """Land in a thread: a FIFO opened by mistake would block forever."""
    outcome = {}

    def run():
        try:
            outcome["report"] = land(con, landing, "events", workers=1)
        except BaseException as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "landing blocked (a FIFO was opened?)"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["report"]


def test_every_odd_entry_gets_a_manifest_row_and_none_stops_the_batch(odd_zone, tmp_path):
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        report = land_with_timeout(con, odd_zone)
        assert report.reconciles
        manifest = {
            r[0]: (r[1], r[2])
            for r in rows(con, "select file_path, status, note from raw.ingest_manifest")
        }
        assert manifest == EXPECTED
        # the good file, its alias (a duplicate), the non-UTF-8 name and the two '..' names
        assert count(con, "select count(*) from raw.lead_events") == 4
        assert report.total("duplicates") == 1
        sources = {r[0] for r in rows(con, "select source_file from raw.lead_events")}
        assert "latin-\\xe9t\\xe9.ndjson" in sources
        # the symlink out of the zone was not followed: its event is not in the warehouse
        assert count(con, "select count(*) from raw.lead_events where event_id like '%2'") == 0
        # landing again records nothing new
        again = land_with_timeout(con, odd_zone)
        assert again.files == []
        assert count(con, "select count(*) from raw.ingest_manifest") == len(EXPECTED)


def test_a_file_whose_name_holds_an_ssn_is_not_landed_until_renamed(odd_zone, tmp_path):
    """Its name would reach the manifest, source_file, the marts and the run config in clear."""
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        land_with_timeout(con, odd_zone)
        stored = rows(con, "select file_path, note from raw.ingest_manifest")
        stored += rows(con, "select source_file, payload from raw.lead_events")
        assert not [r for r in stored if "6789" in r[0] and ("45" in r[0] or "1234" in r[0])]
        assert count(con, "select count(*) from raw.lead_events where event_id like '%8'") == 0
        events = odd_zone / "events"
        (events / "leads-123-45-6789.ndjson").rename(events / "leads-renamed.ndjson")
        report = land_with_timeout(con, odd_zone)
        assert [(f.file_path, f.loaded) for f in report.files] == [("leads-renamed.ndjson", 1)]
        assert count(con, "select count(*) from raw.lead_events where event_id like '%8'") == 1


def test_the_watcher_sees_what_the_landing_step_lands(odd_zone):
    found = {a.relative: a.problem for a in scan(odd_zone, settle_seconds=0)}
    # the same data files, with the same keys and the same verdicts ("folder-link" has no data
    # file name: the watcher leaves it to the next full landing run)
    expected = {k: note for k, (status, note) in EXPECTED.items() if k != "folder-link"}
    expected = {k: (v if EXPECTED[k][0] == "ignored" else None) for k, v in expected.items()}
    assert found == expected
    # the batch's dates come from the readable files only (the FIFO is never opened)
    assert batch_dates(odd_zone, scan(odd_zone, 0)) == (date(2026, 10, 29), date(2026, 10, 29))


def test_an_unreadable_file_is_recorded_once_and_tried_again(tmp_path, monkeypatch):
    landing = tmp_path / "landing"
    locked = write(landing / "events/locked.ndjson", event(1))
    real_read = Path.read_bytes

    def read_bytes(self):
        if self.name == "locked.ndjson":
            raise PermissionError(13, "Permission denied")
        return real_read(self)

    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        with monkeypatch.context() as patched:
            patched.setattr(Path, "read_bytes", read_bytes)
            first = land(con, landing, "events", workers=1)
            assert [(f.status, f.note) for f in first.files] == [
                ("unreadable", "cannot be read (PermissionError: Permission denied); tried again")
            ]
            assert land(con, landing, "events", workers=1).files == []  # no second row
        assert count(con, "select count(*) from raw.ingest_manifest") == 1
        # readable again (permissions fixed): landed, without touching the file
        assert locked.exists()
        fixed = land(con, landing, "events", workers=1)
        assert [(f.status, f.loaded) for f in fixed.files] == [("loaded", 1)]


# --------------------------------------------------------------------------- re-landing


def test_relanding_never_duplicates_quarantine_rows(tmp_path):
    landing = tmp_path / "landing"
    bad = [b'{"id": "truncated', event(2, start_timestamp=1e20)]
    original = write(landing / "events/a.ndjson", b"\n".join([event(1), *bad]))
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        land(con, landing, "events")
        assert count(con, "select count(*) from raw.quarantine") == 2
        # the same bytes under a new name, and the file changed (a line added) then re-landed
        write(landing / "events/copy-of-a.ndjson", original.read_bytes())
        original.write_bytes(original.read_bytes() + b"\n" + event(3))
        report = land(con, landing, "events")
        assert count(con, "select count(*) from raw.quarantine") == 2
        assert report.reconciles
        counts = {f.file_path: (f.loaded, f.quarantined, f.duplicates) for f in report.files}
        assert counts == {"a.ndjson": (1, 0, 3), "copy-of-a.ndjson": (0, 0, 3)}
        # the manifest and the quarantine agree per batch and file (the dbt test's rule)
        mismatched = count(
            con,
            """
            select count(*) from (
                select batch_id, file_path, sum(quarantined) as n from raw.ingest_manifest
                group by all
            ) as m
            full outer join (
                select batch_id, source_file as file_path, count(*) as n from raw.quarantine
                group by all
            ) as q using (batch_id, file_path)
            where coalesce(m.n, 0) <> coalesce(q.n, 0)
            """,
        )
        assert mismatched == 0


# the stored versions looked up by a literal list of ids, or (over LITERAL_IDS ids: a large
# file landed again) by a semi join
@pytest.mark.parametrize("literal_ids", [raw_store.LITERAL_IDS, 0])
def test_a_corrected_copy_of_an_event_replaces_it_and_the_old_version_is_kept(
    tmp_path, monkeypatch, literal_ids
):
    monkeypatch.setattr(raw_store, "LITERAL_IDS", literal_ids)
    landing = tmp_path / "landing"
    first = event(1, outcome="failure", reason="Missing phone")
    corrected = event(1, outcome="success")
    write(landing / "events/day1.ndjson", first + b"\n" + event(2))
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        land(con, landing, "events")
        write(landing / "events/day2.ndjson", corrected + b"\n" + event(2))
        report = land(con, landing, "events")
        assert [(f.loaded, f.duplicates) for f in report.files] == [(1, 1)]
        current = rows(con, "select event_id, outcome from raw.lead_events order by 1")
        assert current == [("65f0a0000000000000000001", "success"), (event_id(2), "success")]
        assert rows(con, "select outcome, source_file from raw.superseded_events") == [
            ("failure", "day1.ndjson")
        ]
        # the old version landed again (re-delivered under a new name) stays superseded
        write(landing / "events/old-again.ndjson", first)
        again = land(con, landing, "events")
        assert [(f.loaded, f.duplicates) for f in again.files] == [(0, 1)]
        assert count(con, "select count(*) from raw.lead_events where outcome = 'failure'") == 0
        assert count(con, "select count(*) from raw.superseded_events") == 1


def test_two_versions_in_one_batch_the_later_file_wins(tmp_path):
    landing = tmp_path / "landing"
    write(landing / "events/a.ndjson", event(1, outcome="failure"))
    write(
        landing / "events/b.ndjson", event(1) + b"\n" + event(1, outcome="error") + b"\n" + event(1)
    )
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        report = land(con, landing, "events")
        assert report.reconciles
        assert rows(con, "select outcome, source_file, source_line from raw.lead_events") == [
            ("error", "b.ndjson", 2)
        ]
        assert count(con, "select count(*) from raw.superseded_events") == 2
        assert report.total("loaded") == 3 and report.total("duplicates") == 1


def event_id(n: int) -> str:
    return f"65f0a00000000000000{n:05d}"
