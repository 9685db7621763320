"""The Spark lake keeps the raw events by day and rewrites only the days that changed: after each
landing, correction, purge, redaction or killed export, the lake holds exactly the warehouse's
rows (read back as Spark reads the day folders), and the days nobody touched keep their files.
The submissions are not exported: landing keeps them in the warehouse's lake, whose folders hold
exactly the rows DuckDB's view reads. No Spark here: the folders are read with DuckDB's hive
partitioning."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from ingest.engines import spark_lake
from ingest.engines.spark_lake import NULL_PARTITION, day_folders, export_sources
from ingest.landing import lake, raw_store
from ingest.landing.land import land
from ingest.ops.config.retention import DatasetRetention, RetentionConfig
from ingest.ops.retention import purge
from tests.conftest import simulate_small

DAY_TABLES = {"lead_events": "event_date", "lead_submissions": "submitted_date"}
MANIFEST = {
    "sources": {
        f"source.leadwarehouse.raw.{table}": {
            "package_name": "leadwarehouse",
            "schema": "raw",
            "identifier": table,
            "meta": {"lake_day_column": column, "landing_lake": table == "lead_submissions"},
        }
        for table, column in DAY_TABLES.items()
    }
    | {
        "source.leadwarehouse.raw.quarantine": {
            "package_name": "leadwarehouse",
            "schema": "raw",
            "identifier": "quarantine",
            "meta": {},
        }
    }
}


@pytest.fixture
def warehouse(tmp_path):
    """A warehouse with three of four simulated days landed, and the fourth day's files aside."""
    scratch = tmp_path / "scratch"
    simulate_small(scratch, days=4, leads=400)
    landing, later = tmp_path / "landing", tmp_path / "later"
    for path in sorted(scratch.rglob("*")):
        if path.is_file() and path.suffix in (".ndjson", ".csv"):
            held = "2026-10-29" in str(path.relative_to(scratch))
            target = (later if held else landing) / path.relative_to(scratch)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    for dataset in ("events", "submissions"):
        land(con, landing, dataset)
    yield con, tmp_path / "lake", landing, later
    con.close()


def lake_rows_differ(con, root: Path, table: str) -> int:
    """Rows in the table and not in its lake folder, and the other way round."""
    column = DAY_TABLES.get(table)
    files = f"{root}/raw/{table}/{'*/' if column else ''}*.parquet"
    options = f", hive_partitioning = true, hive_types = {{'{column}': date}}" if column else ""
    lake = f"read_parquet('{files}'{options})"
    columns = ", ".join(
        row[0]
        for row in con.execute(
            "select column_name from information_schema.columns"
            " where table_schema = 'raw' and table_name = ? order by ordinal_position",
            [table],
        ).fetchall()
    )
    stored = f"raw.{table}"
    return sum(
        con.execute(
            f"select count(*) from (select {columns} from {a} except all select {columns} from {b})"
        ).fetchone()[0]
        for a, b in ((stored, lake), (lake, stored))
    )


def export(con, root: Path) -> dict[str, spark_lake.Exported]:
    exported = {e.table: e for e in export_sources(con, MANIFEST, root)}
    for table in ("lead_events", "quarantine"):
        assert lake_rows_differ(con, root, table) == 0, table
    # read where landing wrote them, as Spark reads them (its files' names starting with "_"
    # skipped), the submissions are the view's; none is copied to the export's lake
    assert "lead_submissions" not in exported
    assert not (root / "raw" / "lead_submissions").exists()
    assert lake_rows_differ(con, lake.root_of(con), "lead_submissions") == 0
    return exported


def files(root: Path, table: str) -> dict[date, tuple[int, ...]]:
    """Day -> inodes of the day's files (a rewritten day gets new files)."""
    return {
        day: tuple(sorted(path.stat().st_ino for path in folder.glob("*.parquet")))
        for day, folder in day_folders(root / "raw" / table, DAY_TABLES[table]).items()
    }


def test_the_first_export_is_whole_then_only_changed_days_are_rewritten(warehouse):
    con, root, landing, later = warehouse
    first = export(con, root)
    assert first["lead_events"].days is None
    submissions = files(lake.root_of(con), "lead_submissions")
    days = files(root, "lead_events")
    assert sorted(days) == [date(2026, 10, 26), date(2026, 10, 27), date(2026, 10, 28)]
    # a file of no rows in the null day keeps the columns for Spark when no day is left
    assert (root / "raw" / "lead_events" / f"event_date={NULL_PARTITION}").is_dir()

    again = export(con, root)
    assert again["lead_events"].days == 0 and again["lead_events"].rows == 0
    assert files(root, "lead_events") == days

    shutil.copytree(later, landing, dirs_exist_ok=True)
    for dataset in ("events", "submissions"):
        land(con, landing, dataset)
    changed = sorted(
        r[0]
        for r in con.execute(
            "select distinct event_date from raw.lead_events where ingested_at >= ("
            " select min(ingested_at) from raw.lead_events where event_date = '2026-10-29')"
        ).fetchall()
    )
    after = export(con, root)
    assert after["lead_events"].days == len(changed) >= 1
    now = files(root, "lead_events")
    assert date(2026, 10, 29) in now
    assert {day for day in days if now[day] != days[day]} == set(changed) - {date(2026, 10, 29)}
    # the submissions' old days keep their files: landing added the new ones beside them
    assert submissions.items() <= files(lake.root_of(con), "lead_submissions").items()
    assert after["quarantine"].days is None  # not kept by day: whole each time


def test_a_corrected_event_rewrites_its_day_only(warehouse):
    con, root, _, _ = warehouse
    export(con, root)
    before = files(root, "lead_events")
    event_id, lead_id, at = con.execute(
        "select event_id, lead_id, epoch_ms(event_at) from raw.lead_events"
        " where event_date = '2026-10-27' order by event_id limit 1"
    ).fetchall()[0]
    staged = pa.table(
        {
            "event_id": [event_id],
            "lead_id": [lead_id],
            "event_type": ["source"],
            "outcome": ["success"],
            "event_at_ms": pa.array([at], pa.int64()),
            "payload": ['{"corrected": true}'],
            "source_file": ["corrections.ndjson"],
            "source_line": pa.array([1], pa.int32()),
            "seq": pa.array([0], pa.int64()),
        }
    )
    raw_store.insert_events(con, staged, "correction")
    assert con.execute("select count(*) from raw.superseded_events").fetchone()[0] >= 1
    exported = export(con, root)
    assert exported["lead_events"].days == 1
    after = files(root, "lead_events")
    assert [day for day in before if after[day] != before[day]] == [date(2026, 10, 27)]


def test_a_purge_removes_the_purged_days_from_the_lake(warehouse):
    con, root, _, _ = warehouse
    export(con, root)
    keep = RetentionConfig(
        (DatasetRetention("events", 2, False), DatasetRetention("submissions", 2, False))
    )
    purge(con, keep, today=date(2026, 10, 29))  # keeps 2026-10-27 and later
    exported = export(con, root)
    assert exported["lead_events"].days == 1 and exported["lead_events"].rows == 0
    assert min(files(root, "lead_events")) == date(2026, 10, 27)
    assert min(files(lake.root_of(con), "lead_submissions")) == date(2026, 10, 27)


def test_a_redaction_or_a_missing_folder_exports_the_table_whole(warehouse):
    con, root, _, _ = warehouse
    export(con, root)
    con.execute("insert into raw.redaction_state values (99, now())")  # raw redacted again
    assert export(con, root)["lead_events"].days is None
    assert export(con, root)["lead_events"].days == 0
    shutil.rmtree(root / "raw" / "lead_events")
    assert export(con, root)["lead_events"].days is None


def test_an_export_killed_between_days_is_redone_by_the_next(warehouse, monkeypatch):
    con, root, landing, later = warehouse
    export(con, root)
    shutil.copytree(later, landing, dirs_exist_ok=True)
    land(con, landing, "events")
    real = spark_lake.export_day
    calls = []

    def killed_after_one_day(*args):
        if calls:
            raise KeyboardInterrupt("killed")
        calls.append(args)
        return real(*args)

    monkeypatch.setattr(spark_lake, "export_day", killed_after_one_day)
    with pytest.raises(KeyboardInterrupt):
        export_sources(con, MANIFEST, root)
    monkeypatch.setattr(spark_lake, "export_day", real)
    assert len(calls) == 1 and lake_rows_differ(con, root, "lead_events") > 0
    assert export(con, root)["lead_events"].days >= 2  # every changed day again
    assert not [p for p in (root / "raw" / "lead_events").iterdir() if p.name.startswith(".")]
