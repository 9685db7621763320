"""Odd input never fails every later build: a Dagster build over a day holding one of each odd
case succeeds (its dbt tests warn, and Dagster records the warnings), and the next day's clean
events reach serving."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, date, datetime

import dagster as dg
import duckdb
import orjson

from ingest.paths import Paths
from tests.conftest import build, environment, simulate_small

DAY1 = 1_793_059_200_000  # 2026-10-27 00:00 UTC, the second simulated day
HOUR = 3_600_000
RENAMED_SOURCE = "6fffffffffffffffffff0001"


def source_event(n: int, at_ms: int, **changes) -> dict:
    """A new lead's source event (its lead id and event id from n), accepted."""
    event = {
        "id": f"6ffffffffffffffffff{n:05d}",
        "type": "source",
        "outcome": "success",
        "reason": None,
        "start_timestamp": at_ms,
        "end_timestamp": at_ms + 800,
        "step_count": 0,
        "purchase_price": 1.5,
        "vars": {
            "lead": {"id": f"6eeeeeeeeeeeeeeeeee{n:05d}", "email": f"odd{n}@example.com"},
            "submission": {
                "timestamp": datetime.fromtimestamp(min(at_ms, DAY1) / 1000, UTC)
                .replace(hour=n)
                .isoformat()
            },
            "flow": {"id": "6fffffffffffffffffff0009", "name": "Odd Flow"},
            "source": {"id": RENAMED_SOURCE, "name": "New Name Media"},
        },
    }
    for key, value in changes.items():
        if key == "vars":
            event["vars"] = {**event["vars"], **value}
        else:
            event[key] = value
    return event


def odd_day_lines() -> list[bytes]:
    lines = [
        # a source renamed within the day: its first lead has the old name, the others the new
        source_event(
            1, DAY1 + 10 * HOUR, vars={"source": {"id": RENAMED_SOURCE, "name": "Old Name Media"}}
        ),
        source_event(2, DAY1 + 11 * HOUR),
        # an event type LeadConduit added after this code was written
        source_event(3, DAY1 + 12 * HOUR),
        {**source_event(3, DAY1 + 12 * HOUR), "id": "6ffffffffffffffffff10003", "type": "audit"},
        # no flow id, no source id
        source_event(4, DAY1 + 13 * HOUR, vars={"flow": {"name": "?"}, "source": {}}),
        # an end_timestamp in seconds, and one far beyond any plausible time
        source_event(5, DAY1 + 14 * HOUR, end_timestamp=(DAY1 + 14 * HOUR) // 1000 + 2),
        source_event(6, DAY1 + 15 * HOUR, end_timestamp=9e18),
    ]
    out = [orjson.dumps(e) for e in lines]
    # a start time centuries away and one that overflows: quarantined
    out.append(orjson.dumps(source_event(7, 32503680000000)))  # year 3000
    out.append(orjson.dumps(source_event(8, 1e20)))
    return out


def checks_of_last_runs(paths: Paths, runs: int = 2):
    with environment(DAGSTER_HOME=str(paths.dagster_home)):
        with dg.DagsterInstance.get() as instance:
            records = [
                record
                for run in instance.get_runs()[:runs]
                for record in instance.get_records_for_run(
                    run.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION
                ).records
            ]
    return [r.event_log_entry.dagster_event.event_specific_data for r in records]


def test_odd_events_warn_and_the_next_clean_day_reaches_serving(tmp_path):
    paths = Paths(tmp_path / "home")
    simulate_small(paths.landing, faults=False, leads=120, days=2)
    events = paths.landing_events
    odd = events / "odd"
    odd.mkdir()
    (odd / "day-2026-10-27.ndjson").write_bytes(b"\n".join(odd_day_lines()) + b"\n")
    # files that cannot be read sit next to them
    os.mkfifo(odd / "pipe.ndjson")
    (odd / "dangling.ndjson").symlink_to(odd / "gone.ndjson")
    first_event = next((events / "batches").glob("*.ndjson")).read_bytes().split(b"\n")[0]

    assert build(paths), "a build over odd events failed"
    evaluations = checks_of_last_runs(paths)
    failed = {e.asset_check_key.name: e for e in evaluations if not e.passed}
    assert failed, "the odd events raised no warning"
    assert all(e.severity == dg.AssetCheckSeverity.WARN for e in failed.values()), failed
    assert any("event_type" in name for name in failed)
    assert any("not_missing" in name for name in failed)

    with duckdb.connect(str(paths.serving), read_only=True) as con:
        kept = dict(
            con.execute(
                "select event_type, count(*) from marts.fct_lead_events"
                " where event_id like '6ffffffff%' group by 1"
            ).fetchall()
        )
        assert kept == {"source": 6, "audit": 1}
        renamed = con.execute(
            "select source_name, leads from marts.fct_acceptance_daily where source_id = ?",
            [RENAMED_SOURCE],
        ).fetchall()
        assert renamed == [("New Name Media", 5)]  # one row a day, the name last seen
        missing = con.execute(
            "select flow_id, source_id from marts.fct_leads where lead_id = ?",
            ["6eeeeeeeeeeeeeeeeee00004"],
        ).fetchall()
        assert missing == [("(missing)", "(missing)")]
        # end_timestamp in seconds: read as such; beyond any plausible time: the start
        ended = con.execute(
            "select epoch_ms(ended_at) - epoch_ms(started_at) from marts.fct_lead_events"
            " where event_id in ('6ffffffffffffffffff00005', '6ffffffffffffffffff00006')"
            " order by event_id"
        ).fetchall()
        assert ended == [(2000,), (0,)]
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        reasons = [r[0] for r in con.execute("select note from raw.ingest_manifest").fetchall()]
        assert "a FIFO, not read" in reasons
        assert "dangling symlink (its target does not exist)" in reasons
        quarantined = con.execute(
            "select count(*) from raw.quarantine where reason like 'start_timestamp %'"
        ).fetchone()[0]
        assert quarantined == 2

    # the next day: clean events, and a corrected copy of an event of the first day
    clean = tmp_path / "next-day"
    simulate_small(clean, faults=False, leads=40, days=1, seed=29, start_date=date(2026, 10, 28))
    shutil.copytree(clean / "events", events / "next-day")
    shutil.copytree(clean / "submissions", paths.landing_submissions / "next-day")
    original = orjson.loads(first_event)
    corrected = {**original, "reason": "Corrected by the vendor"}
    (events / "next-day" / "corrections.ndjson").write_bytes(orjson.dumps(corrected) + b"\n")

    assert build(paths), "the build after a day of odd events failed"
    with duckdb.connect(str(paths.serving), read_only=True) as con:
        days = {r[0] for r in con.execute("select submitted_date from marts.fct_leads").fetchall()}
        assert date(2026, 10, 28) in days
        reason = con.execute(
            "select reason from marts.fct_lead_events where event_id = ?", [original["id"]]
        ).fetchone()[0]
        assert reason == "Corrected by the vendor"
        unique = con.execute(
            "select count(*) = count(distinct event_id) from marts.fct_lead_events"
        ).fetchone()[0]
        assert unique
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        assert con.execute("select count(*) from raw.superseded_events").fetchone()[0] == 1
        read, loaded, dups, quarantined = con.execute(
            "select sum(records_read), sum(loaded), sum(duplicates), sum(quarantined)"
            " from raw.ingest_manifest"
        ).fetchone()
        assert read == loaded + dups + quarantined
