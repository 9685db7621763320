"""The retention purge on a real warehouse file and real landing files."""

from __future__ import annotations

import json
from datetime import date

import dagster as dg
import duckdb
import pytest

from ingest.landing import lake, raw_store
from ingest.ops.config import load_retention
from ingest.ops.retention import cutoff_date, purge
from ingest.paths import Paths
from tests.conftest import environment
from tests.ops.conftest import write_yaml

TODAY = date(2026, 11, 20)


@pytest.fixture
def home(tmp_path) -> Paths:
    """Raw events on 2026-10-10 .. 10-19 (one file per day, plus a file spanning 10-14/10-15 and
    a Firehose file), submissions on the same days, a mart and a manifest."""
    paths = Paths(tmp_path / "home")
    events_dir = paths.landing_events
    subs_dir = paths.landing_submissions
    paths.home.mkdir(parents=True)
    with duckdb.connect(str(paths.warehouse)) as con:
        raw_store.ensure_raw_schema(con)
        for day in range(10, 20):
            name = f"batches/events-2026-10-{day}.ndjson"
            (events_dir / name).parent.mkdir(parents=True, exist_ok=True)
            (events_dir / name).write_text("{}\n" * 3)
            (subs_dir / f"subs-2026-10-{day}.ndjson").parent.mkdir(parents=True, exist_ok=True)
            (subs_dir / f"subs-2026-10-{day}.ndjson").write_text("{}\n" * 2)
            for i in range(3):
                _event(con, f"e{day}{i}", f"2026-10-{day} 0{i}:00:00", name)
            for i in range(2):
                _submission(
                    con, f"l{day}{i}", f"2026-10-{day} 0{i}:00:00", f"subs-2026-10-{day}.ndjson"
                )
        (events_dir / "batches/span.ndjson").write_text("{}\n{}\n")
        _event(con, "span1", "2026-10-14 23:59:00", "batches/span.ndjson")
        _event(con, "span2", "2026-10-15 00:01:00", "batches/span.ndjson")
        firehose = "firehose/lead1/ev1.json"
        (events_dir / firehose).parent.mkdir(parents=True)
        (events_dir / firehose).write_text("{}")
        _event(con, "fh1", "2026-10-11 10:00:00", firehose)
        con.execute("create schema marts")
        con.execute("create table marts.fct_acceptance_daily as select 1 as leads")
        con.execute(
            "insert into raw.ingest_manifest values ('events', 'x', 'h', 1, 1, 'loaded', null,"
            " 1, 1, 0, 0, 'b', now()::timestamp, null, 0)"
        )
    return paths


def _event(con, event_id: str, at: str, source_file: str) -> None:
    raw_store.store_rows(
        con,
        "lead_events",
        "select ?, 'lead', 'source', 'success', ?::timestamp, cast(? as date), '{}', ?, 1, 'b',"
        " now()::timestamp",
        [event_id, at, at, source_file],
    )


def _submission(con, lead_id: str, at: str, source_file: str) -> None:
    raw_store.store_rows(
        con,
        "lead_submissions",
        f"select '{lead_id}', timestamp '{at}', cast(timestamp '{at}' as date), null, null, null,"
        f" null, null, null, '{{}}', '{source_file}', 1, 'b', now()::timestamp",
    )


def _config(tmp_path, **datasets):
    return load_retention(write_yaml(tmp_path / "retention.yaml", {"datasets": datasets}))


def _count(database, sql: str):
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(sql).fetchone()[0]


def test_cutoff_keeps_whole_days():
    assert cutoff_date(30, TODAY) == date(2026, 10, 21)
    assert cutoff_date(1, TODAY) == date(2026, 11, 19)


def test_purge_deletes_old_raw_rows_per_dataset_and_records_them(home, tmp_path):
    # events: keep 36 days -> cutoff 10-15; submissions: keep 33 days -> cutoff 10-18
    config = _config(
        tmp_path,
        events={"keep_days": 36, "delete_landing_files": True},
        submissions={"keep_days": 33},
    )
    with duckdb.connect(str(home.warehouse)) as con:
        report = purge(con, config, today=TODAY, landing_dir=home.landing, run_id="r1")
    events, submissions = report.datasets
    assert events.cutoff_date == date(2026, 10, 15) and submissions.cutoff_date == date(
        2026, 10, 18
    )
    assert events.rows_deleted == 5 * 3 + 1 + 1  # 10-10..10-14, span1 and the Firehose event
    assert submissions.rows_deleted == 8 * 2
    assert _count(home.warehouse, "select min(event_date) from raw.lead_events") == date(
        2026, 10, 15
    )
    assert _count(home.warehouse, "select count(*) from raw.lead_events") == 5 * 3 + 1
    assert _count(home.warehouse, "select min(submitted_date) from raw.lead_submissions") == date(
        2026, 10, 18
    )
    # the submissions are lake files: the purged days' files are gone, the others kept
    folder = lake.root_for(home.warehouse) / "raw" / "lead_submissions"
    days = sorted(path.parent.name for path in folder.glob("*/*.parquet"))
    assert days == [f"submitted_date=2026-10-{d}" for d in range(18, 20) for _ in range(2)]
    # landing files: deleted for events once every row they loaded is gone, not for submissions
    expected = [f"batches/events-2026-10-{d}.ndjson" for d in range(10, 15)]
    assert events.emptied == sorted([*expected, "firehose/lead1/ev1.json"])
    assert sorted(events.landing_deleted) == sorted(events.emptied)
    assert not (home.landing_events / "batches/events-2026-10-14.ndjson").exists()
    assert not (home.landing_events / "firehose").exists() or not any(
        (home.landing_events / "firehose").iterdir()
    )
    assert (home.landing_events / "batches/events-2026-10-15.ndjson").exists()
    assert (home.landing_events / "batches/span.ndjson").exists()  # span2 (10-15) is still there
    assert (home.landing_submissions / "subs-2026-10-10.ndjson").exists()
    # recorded
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        log = con.execute(
            "select dataset, keep_days, cutoff_date, rows_deleted, oldest_deleted, files_emptied,"
            " landing_files_deleted, dry_run, run_id from ops.retention_log order by dataset"
        ).fetchall()
        files = con.execute(
            "select file_path, rows_deleted, emptied, landing_file_deleted"
            " from ops.retention_files where dataset = 'events' order by file_path"
        ).fetchall()
        # untouched: marts, manifest
        assert con.execute("select * from marts.fct_acceptance_daily").fetchall() == [(1,)]
        assert con.execute("select count(*) from raw.ingest_manifest").fetchone()[0] == 1
    assert log == [
        ("events", 36, date(2026, 10, 15), 17, date(2026, 10, 10), 6, 6, False, "r1"),
        ("submissions", 33, date(2026, 10, 18), 16, date(2026, 10, 10), 8, 0, False, "r1"),
    ]
    assert ("batches/span.ndjson", 1, False, False) in files
    assert ("batches/events-2026-10-10.ndjson", 3, True, True) in files
    # idempotent: a second purge on the same day deletes nothing more
    with duckdb.connect(str(home.warehouse)) as con:
        assert purge(con, config, today=TODAY, landing_dir=home.landing).rows_deleted == 0


def test_the_versions_corrected_copies_replaced_are_purged_with_the_events(home, tmp_path):
    # replaced versions of e100 (10-10, its file's) and of a 10-16 event, from a corrections file
    with duckdb.connect(str(home.warehouse)) as con:
        for event_id, day, source_file in (
            ("e100", "2026-10-10", "batches/events-2026-10-10.ndjson"),
            ("e160", "2026-10-16", "batches/fixes.ndjson"),
            ("e101", "2026-10-10", "batches/fixes.ndjson"),
        ):
            raw_store.store_rows(
                con,
                "superseded_events",
                "select ?, 'lead', 'source', 'success', ?::timestamp, cast(? as date),"
                " '{\"ssn\": \"old\"}', ?, 1, 'b', now()::timestamp, now()::timestamp, 'b2'",
                [event_id, day, day, source_file],
            )
    config = _config(tmp_path, events={"keep_days": 36})  # cutoff 10-15
    with duckdb.connect(str(home.warehouse)) as con:
        report = purge(con, config, today=TODAY, landing_dir=home.landing)
    events = next(d for d in report.datasets if d.dataset == "events")
    assert events.rows_deleted == 17 + 2
    assert events.files["batches/events-2026-10-10.ndjson"] == 3 + 1
    assert events.files["batches/fixes.ndjson"] == 1
    # the corrections file still holds a version dated after the cutoff: not emptied
    assert "batches/fixes.ndjson" not in events.emptied
    assert _count(home.warehouse, "select list(event_id) from raw.superseded_events") == ["e160"]


def test_files_that_loaded_nothing_are_deleted_with_the_data_they_repeat(home, tmp_path):
    """A resent copy of an old file lands as duplicates: it owns no raw row, so no purge of rows
    emptied it, and it kept the personal data the purge deleted elsewhere."""
    copy, recent = "batches/resent-2026-10-10.ndjson", "batches/resent-today.ndjson"
    for name in (copy, recent):
        (home.landing_events / name).write_text("{}\n" * 3)
    with duckdb.connect(str(home.warehouse)) as con:
        for name, landed in ((copy, "2026-10-12"), (recent, "2026-11-19")):
            con.execute(
                "insert into raw.ingest_manifest values ('events', ?, 'h', 3, 1, 'loaded', null,"
                " 3, 0, 3, 0, 'b', cast(? as timestamp), null, 0)",
                [name, landed],
            )
    config = _config(tmp_path, events={"keep_days": 36, "delete_landing_files": True})
    with duckdb.connect(str(home.warehouse)) as con:
        report = purge(con, config, today=TODAY, landing_dir=home.landing)
    events = report.datasets[0]
    assert copy in events.landing_deleted and events.files[copy] == 0
    assert not (home.landing_events / copy).exists()
    assert (home.landing_events / recent).exists()  # landed after the cutoff: kept
    assert events.rows_deleted == 17


def test_a_dry_run_counts_and_deletes_nothing(home, tmp_path):
    config = _config(tmp_path, events={"keep_days": 36, "delete_landing_files": True})
    with duckdb.connect(str(home.warehouse)) as con:
        report = purge(con, config, today=TODAY, landing_dir=home.landing, dry_run=True)
    assert report.datasets[0].rows_deleted == 17
    assert _count(home.warehouse, "select count(*) from raw.lead_events") == 33
    assert (home.landing_events / "batches/events-2026-10-10.ndjson").exists()
    assert _count(home.warehouse, "select bool_and(dry_run) from ops.retention_log")


def test_the_retention_job_records_on_its_asset(home, tmp_path):
    from orchestration.defs.resources import WarehouseResource
    from orchestration.defs.retention import RETENTION_LOG, retention_purge

    config = write_yaml(tmp_path / "r.yaml", {"defaults": {"keep_days": 35}})
    with environment(LEADWH_RETENTION_CONFIG=str(config)), dg.instance_for_test() as instance:
        result = retention_purge.execute_in_process(
            instance=instance,
            resources={"warehouse": WarehouseResource(home=str(home.home))},
            run_config={"ops": {"purge_raw": {"config": {"today": TODAY.isoformat()}}}},
        )
        assert result.success
        event = instance.get_latest_materialization_event(RETENTION_LOG)
    meta = {k: v.value for k, v in event.asset_materialization.metadata.items()}
    assert meta["events_cutoff_date"] == "2026-10-16"
    assert meta["events_rows_deleted"] == 6 * 3 + 3  # 10-10 .. 10-15, span1, span2 and fh1
    assert meta["submissions_rows_deleted"] == 6 * 2
    assert json.loads(json.dumps(meta))  # plain values, shown as they are in the UI
