"""Landing a simulated operation (with faults): nothing lost, counts reconcile, idempotent."""

import gc
import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest

from ingest.landing import lake
from ingest.landing.land import land
from ingest.landing.readers import read_events
from tests.conftest import simulate_small


@pytest.fixture
def landed(tmp_path):
    landing = tmp_path / "landing"
    summary = simulate_small(landing, faults=True, leads=300, days=3)
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    reports = {d: land(con, landing, d) for d in ("events", "submissions")}
    yield con, landing, summary, reports
    con.close()


def count(con, sql):
    return con.execute(sql).fetchone()[0]


def test_every_record_is_loaded_quarantined_or_a_duplicate(landed):
    con, _, summary, reports = landed
    events = reports["events"]
    assert events.reconciles and reports["submissions"].reconciles
    assert count(con, "select count(*) from raw.lead_events") == summary.events
    assert count(con, "select count(distinct event_id) from raw.lead_events") == summary.events
    assert events.total("duplicates") == summary.duplicates_events
    assert events.total("quarantined") == summary.quarantine_expected_events
    assert events.total("records_read") == summary.event_records
    assert count(con, "select count(*) from raw.quarantine where dataset = 'events'") == (
        summary.quarantine_expected_events
    )
    assert count(con, "select count(*) from raw.lead_submissions") == summary.submissions
    assert count(con, "select count(*) from raw.quarantine where dataset = 'submissions'") == (
        summary.quarantine_expected_submissions
    )
    # faults of every kind really were injected, so the test above is not vacuous
    assert summary.duplicates_events > 0 and summary.quarantine_expected_events > 0
    reasons = {
        r[0].split(":")[0] for r in con.execute("select reason from raw.quarantine").fetchall()
    }
    assert {"malformed JSON", "missing event id"} <= reasons
    assert any(r.startswith("invalid UTF-8") for r in reasons)


def test_non_json_file_in_the_firehose_tree_is_recorded_as_ignored(landed):
    con, *_ = landed
    ignored = con.execute(
        "select file_path from raw.ingest_manifest where status = 'ignored'"
    ).fetchall()
    assert ("firehose/leadconduit-credentials-test.txt",) in ignored


def test_relanding_changes_nothing(landed):
    con, landing, *_ = landed
    tables = ["raw.lead_events", "raw.lead_submissions", "raw.quarantine", "raw.ingest_manifest"]
    before = {t: count(con, f"select count(*) from {t}") for t in tables}
    again = land(con, landing, "events")
    assert again.files == [] and again.skipped_unchanged > 0
    land(con, landing, "submissions")
    # touching a file without changing its bytes is no change either
    first = next((landing / "events" / "batches").glob("*.ndjson"))
    first.touch()
    land(con, landing, "events")
    assert {t: count(con, f"select count(*) from {t}") for t in tables} == before


def test_a_rewrite_of_the_same_size_with_its_old_mtime_is_landed(landed):
    """`cp -p` of a corrected file of the same size keeps size and mtime; the inode change time
    moves, and cannot be set back."""
    con, landing, *_ = landed
    path = sorted((landing / "events" / "batches").glob("*.ndjson"))[0]
    data, stat = path.read_bytes(), path.stat()
    line = data.split(b"\n")[0]
    corrected = line.replace(b'"host":"app', b'"host":"APP', 1)  # the same length
    assert corrected != line and len(corrected) == len(line)
    path.write_bytes(data.replace(line, corrected, 1))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (stat.st_size, stat.st_mtime_ns)
    report = land(con, landing, "events")
    assert [f.file_path for f in report.files] == [str(path.relative_to(landing / "events"))]
    assert count(con, "select count(*) from raw.superseded_events") == 1  # the old version


def test_a_file_opened_and_found_unchanged_is_not_opened_again(landed, monkeypatch):
    from ingest.landing import land as land_module

    con, landing, *_ = landed
    path = next((landing / "events" / "batches").glob("*.ndjson"))
    path.chmod(0o640)  # a new inode change time, the same bytes
    opened = []
    read_files = land_module._read_files

    def counting(dataset, batch, redactor):
        opened.extend(relative for _, relative, *_ in batch)
        return read_files(dataset, batch, redactor)

    monkeypatch.setattr(land_module, "_read_files", counting)
    assert land(con, landing, "events").skipped_unchanged > 0 and len(opened) == 1
    recorded = "select ctime_ns from raw.ingest_manifest where file_path = ?"
    assert count(con, recorded.replace("?", f"'{opened[0]}'")) == path.stat().st_ctime_ns
    land(con, landing, "events")
    assert len(opened) == 1  # its times were recorded


def test_a_changed_file_is_loaded_again_and_only_new_events_are_added(landed):
    con, landing, *_ = landed
    path = sorted((landing / "events" / "batches").glob("*.ndjson"))[-1]
    events_before = count(con, "select count(*) from raw.lead_events")
    line = path.read_bytes().split(b"\n")[0]
    new_event = line.replace(line[7:31], b"0" * 24, 1)  # same event under a new id
    assert new_event != line
    path.write_bytes(path.read_bytes().rstrip(b"\n") + b"\n" + new_event + b"\n")
    report = land(con, landing, "events")
    [changed] = report.files
    assert changed.loaded == 1
    assert changed.duplicates == changed.records_read - changed.quarantined - 1
    assert count(con, "select count(*) from raw.lead_events") == events_before + 1


def test_a_failed_chunk_leaves_the_warehouse_unchanged_and_the_next_run_lands_it(
    landed, monkeypatch
):
    con, landing, *_ = landed
    batches = landing / "events" / "batches"
    new = batches / "zz-new.ndjson"
    # a file whose first event has a new id: one event to land, the rest duplicates
    first, *rest = next(batches.glob("*.ndjson")).read_bytes().split(b"\n")
    new.write_bytes(b"\n".join([first.replace(first[7:31], b"f" * 24, 1), *rest]))
    tables = ["raw.lead_events", "raw.ingest_manifest", "raw.quarantine"]
    before = {t: count(con, f"select count(*) from {t}") for t in tables}

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    with monkeypatch.context() as patched:
        patched.setattr("ingest.landing.raw_store.insert_quarantine", broken)
        with pytest.raises(RuntimeError, match="disk full"):
            land(con, landing, "events")
    assert {t: count(con, f"select count(*) from {t}") for t in tables} == before
    report = land(con, landing, "events")
    assert [f.file_path for f in report.files] == ["batches/zz-new.ndjson"]
    assert report.files[0].loaded == 1
    assert count(con, "select count(*) from raw.lead_events") == before["raw.lead_events"] + 1


def test_chunks_and_worker_processes_land_the_same_as_one_pass(tmp_path, monkeypatch):
    landing = tmp_path / "landing"
    simulate_small(landing, faults=True, leads=200, days=3)
    monkeypatch.setattr("ingest.landing.land.PARALLEL_BYTES", 0)
    results = {}
    for name, flush_bytes, workers in (("one", 1 << 40, 1), ("many", 1, 1), ("parallel", 1, 2)):
        monkeypatch.setattr("ingest.landing.land.FLUSH_BYTES", flush_bytes)
        with duckdb.connect(str(tmp_path / f"{name}.duckdb")) as con:
            report = land(con, landing, "events", workers=workers)
            assert report.reconciles
            results[name] = (
                report.summary()["loaded"],
                report.summary()["duplicates"],
                report.summary()["quarantined"],
                con.execute(
                    "select count(distinct batch_id), count(*) from raw.ingest_manifest"
                ).fetchall()[0][1],
                sorted(con.execute("select event_id from raw.lead_events").fetchall()),
            )
    assert results["one"] == results["many"] == results["parallel"]


UNGUARDED_SCRIPT = """
import sys
from pathlib import Path

import duckdb

from ingest.landing import land

land.PARALLEL_BYTES = 0
# no `if __name__ == "__main__":`: each spawned worker runs this again and dies on the lock
with duckdb.connect(sys.argv[1]) as con:
    report = land.land(con, Path(sys.argv[2]), "events", workers=2, progress=print)
    print("LANDED", report.summary()["loaded"], report.summary()["quarantined"], report.reconciles)
"""


def test_a_broken_worker_pool_reads_the_rest_in_process_and_says_why(tmp_path):
    landing = tmp_path / "landing"
    simulate_small(landing, faults=True, leads=150, days=2)
    with duckdb.connect(str(tmp_path / "one.duckdb")) as con:
        one = land(con, landing, "events", workers=1).summary()
    script = tmp_path / "unguarded.py"
    script.write_text(UNGUARDED_SCRIPT)
    root = Path(__file__).resolve().parents[2]
    ran = subprocess.run(
        [sys.executable, str(script), str(tmp_path / "two.duckdb"), str(landing)],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(root), "LEADWH_HOME": str(tmp_path)},
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr[-2000:]
    assert "the landing workers stopped" in ran.stdout and "__main__" in ran.stdout
    assert f"LANDED {one['loaded']} {one['quarantined']} True" in ran.stdout
    with duckdb.connect(str(tmp_path / "two.duckdb")) as con:
        assert con.sql("select count(*) from raw.lead_events").fetchall() == [(one["loaded"],)]


def test_a_warehouse_from_before_the_lake_keeps_every_event_version(landed):
    con, landing, *_ = landed
    first = sorted((landing / "events" / "batches").glob("*.ndjson"))[0]
    line = first.read_bytes().split(b"\n")[0]
    (first.parent / "corrected.ndjson").write_bytes(line.replace(b'"host":"app', b'"host":"APP'))
    land(con, landing, "events")  # a corrected copy: its first version is superseded
    tables = ("lead_events", "superseded_events")
    before = {t: con.execute(f"select * from raw.{t} order by all").fetchall() for t in tables}
    assert len(before["superseded_events"]) == 1
    for table in tables:  # as landing kept them before the lake: tables in the warehouse file
        con.execute(f"create table raw.{table}_rows as select * from raw.{table}")
        con.execute(f"drop view raw.{table}")
        con.execute(f"alter table raw.{table}_rows rename to {table}")
        con.execute("delete from raw.lake_files where table_name = ?", [table])
    land(con, landing, "events")  # moved out once, then nothing new to land
    root = lake.root_of(con)
    for table in tables:
        kind = con.execute(
            "select table_type from information_schema.tables"
            " where table_schema = 'raw' and table_name = ?",
            [table],
        ).fetchone()[0]
        assert kind == "VIEW"
        assert con.execute(f"select * from raw.{table} order by all").fetchall() == before[table]
    on_disk = {p.relative_to(root).as_posix() for p in root.rglob("*.parquet")}
    named = [lake.live_files(con, t) for t in (*tables, "lead_submissions")]
    assert on_disk == {path for paths in named for path in paths}


def test_records_are_read_with_the_cycle_collector_paused_and_it_is_restored(tmp_path, monkeypatch):
    landing = tmp_path / "landing"
    simulate_small(landing, leads=50, days=1)
    collector_on_while_reading = []

    def watched(*args):
        collector_on_while_reading.append(gc.isenabled())
        return read_events(*args)

    monkeypatch.setattr("ingest.landing.land.read_events", watched)
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        assert land(con, landing, "events", workers=1).summary()["loaded"] > 0
        assert collector_on_while_reading and not any(collector_on_while_reading)
        assert gc.isenabled()
        files_read = len(collector_on_while_reading)
        gc.disable()  # a caller that paused it itself keeps it paused
        try:
            (landing / "events" / "batches" / "extra.ndjson").write_bytes(b"{}\n")
            land(con, landing, "events", workers=1)
            assert not gc.isenabled()
        finally:
            gc.enable()
    assert len(collector_on_while_reading) == files_read + 1


def test_records_purged_by_retention_do_not_come_back_from_a_restored_copy(landed, tmp_path):
    """A restored backup (or a resent old file) under new names: its records dated before the
    last purge's cutoff are not stored again, neither current nor corrected versions; they are
    counted as expired, and every file reconciles."""
    import shutil

    from ingest.ops.config.retention import DatasetRetention, RetentionConfig
    from ingest.ops.retention import last_cutoff, purge

    con, landing, *_ = landed
    first = count(con, "select min(event_date) from raw.lead_events")
    cutoff = first + timedelta(days=1)
    old = "select count(*) from raw.{} where {} < ?"
    old_events = con.execute(old.format("lead_events", "event_date"), [cutoff]).fetchone()[0]
    assert old_events > 0 and last_cutoff(con, "events") is None
    policies = tuple(DatasetRetention(d, 3, False) for d in ("events", "submissions"))
    purge(con, RetentionConfig(policies), today=cutoff + timedelta(days=3))
    assert last_cutoff(con, "events") == cutoff

    for dataset in ("events", "submissions"):
        shutil.copytree(landing / dataset, tmp_path / "backup" / dataset)
        shutil.move(tmp_path / "backup" / dataset, landing / dataset / "restored")
    reports = {d: land(con, landing, d) for d in ("events", "submissions")}

    for table, column in [
        ("lead_events", "event_date"),
        ("superseded_events", "event_date"),
        ("lead_submissions", "submitted_date"),
    ]:
        assert con.execute(old.format(table, column), [cutoff]).fetchone()[0] == 0, table
    events = reports["events"]
    assert events.reconciles and reports["submissions"].reconciles
    assert events.total("expired") >= old_events and events.total("loaded") == 0
    assert reports["submissions"].total("expired") > 0
    assert events.summary()["expired"] == events.total("expired")
    manifest = con.execute(
        "select sum(expired), count(*) filter (where records_read"
        " <> loaded + duplicates + quarantined + expired)"
        " from raw.ingest_manifest where file_path like 'restored/%'"
    ).fetchone()
    assert manifest == (events.total("expired") + reports["submissions"].total("expired"), 0)


FULL_DISK = """
import os, resource, signal, sys
from pathlib import Path
import duckdb
from ingest.landing.land import land
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
landing, warehouse = Path(sys.argv[1]), sys.argv[2]
con = duckdb.connect(warehouse)
land(con, landing, "submissions", workers=1)
con.execute("checkpoint")
limit = 20_000  # bytes a file may grow to: the events' commit cannot write its day files
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
try:
    land(con, landing, "events", workers=1)
except Exception as error:
    print(type(error).__name__, error, flush=True)
    os._exit(3)  # no checkpoint at exit: the disk is still full
"""


def test_a_full_disk_at_commit_reports_its_cause_and_the_next_run_lands_everything(tmp_path):
    """A disk that fills up while landing commits (here a file-size limit, as a full disk
    refuses the write): the error names the write that failed, not a failed rollback of the
    transaction DuckDB had already rolled back; nothing is half landed."""
    landing = tmp_path / "landing"
    summary = simulate_small(landing, faults=True, leads=300, days=3)
    warehouse = tmp_path / "warehouse.duckdb"
    done = subprocess.run(
        [sys.executable, "-c", FULL_DISK, str(landing), str(warehouse)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 3, done.stderr
    assert "Could not write file" in done.stdout and "File too large" in done.stdout
    assert "no transaction is active" not in done.stdout
    with duckdb.connect(str(warehouse)) as con:
        assert count(con, "select count(*) from raw.lead_events") == 0
        report = land(con, landing, "events", workers=1)
        assert report.reconciles and report.total("loaded") == summary.events
        assert count(con, "select count(*) from raw.lead_events") == summary.events


def test_landing_refuses_a_clock_set_back_and_waits_out_a_small_step(landed):
    """With the clock behind the last landing's time, new rows would be stamped older than
    rows already typed and built, and every incremental step after landing would skip them."""
    from ingest.landing import clock

    con, landing, *_ = landed
    newest = clock.newest_stamp(con)
    assert newest is not None and newest <= clock.utc_now()
    late = write_event_file(landing / "events" / "late.ndjson", "65f0a00000000000000c10c0")
    future = clock.utc_now() + timedelta(hours=1)  # as if the clock had since been set back
    stamp = "update raw.ingest_manifest set ingested_at = ? where ingested_at = ?"
    con.execute(stamp, [future, newest])
    with pytest.raises(clock.ClockSetBack, match="the clock was set back"):
        land(con, landing, "events")
    assert count(con, f"select count(*) from raw.lead_events where source_file = '{late}'") == 0
    # a step of a few seconds (an NTP correction) is waited out
    con.execute(stamp, [clock.utc_now() + timedelta(seconds=3), future])
    started = time.monotonic()
    report = land(con, landing, "events")
    assert time.monotonic() - started >= 2.5 and report.total("loaded") == 1
    assert clock.newest_stamp(con) <= clock.utc_now()


def write_event_file(path: Path, event_id: str) -> str:
    line = (
        f'{{"id": "{event_id}", "type": "source", "outcome": "success",'
        ' "start_timestamp": 1793232000123, "end_timestamp": 1793232000623,'
        ' "vars": {"lead": {"id": "65f0a0000000000000000aaa"}}}\n'
    )
    path.write_text(line)
    return path.name
