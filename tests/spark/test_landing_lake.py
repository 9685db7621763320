"""The raw events and submissions are written once, for both engines: landing keeps them as day
files in the warehouse's lake, whose folders (read as Spark reads them: Hive partitions, names
starting with "_" skipped) hold exactly the rows DuckDB's views read after each landing,
correction, purge and redaction; a change rewrites only the day files it touches; the export
for Spark copies none of them. No Spark here (tests/spark/test_engines_agree.py runs it): the
folders are read with DuckDB's hive partitioning."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest
import yaml

from ingest.engines.spark_lake import NULL_PARTITION, export_sources
from ingest.landing import lake
from ingest.landing.land import land
from ingest.ops.config.retention import DatasetRetention, RetentionConfig
from ingest.ops.retention import purge
from tests.conftest import simulate_small

ROOT = Path(__file__).resolve().parents[2]
DAY_TABLES = {"lead_events": "event_date", "lead_submissions": "submitted_date"}


def project_manifest() -> dict:
    """The raw sources as dbt's manifest has them (their meta from models/staging/_sources.yml)."""
    spec = yaml.safe_load((ROOT / "models" / "staging" / "_sources.yml").read_text())
    raw = next(source for source in spec["sources"] if source["name"] == "raw")
    return {
        "sources": {
            f"source.leadwarehouse.raw.{table['name']}": {
                "package_name": "leadwarehouse",
                "schema": "raw",
                "identifier": table["name"],
                "meta": table.get("config", {}).get("meta", {}),
            }
            for table in raw["tables"]
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
    yield con, landing, later
    con.close()


def folders_differ(con, table: str) -> int:
    """Rows of the view not in the table's lake folders as Spark reads them, and the other way
    round (``_``-prefixed files skipped, as Spark and Hive skip them)."""
    column = DAY_TABLES[table]
    folder = lake.root_of(con) / "raw" / table
    listed = [str(p) for p in sorted(folder.glob("*/*.parquet")) if not p.name.startswith("_")]
    files = f"read_parquet({listed}, hive_partitioning = true, hive_types = {{'{column}': date}})"
    described = con.execute(f"select * from raw.{table} limit 0").description
    names = ", ".join(f'"{column[0]}"' for column in described)
    return sum(
        con.execute(
            f"select count(*) from (select {names} from {a} except all select {names} from {b})"
        ).fetchone()[0]
        for a, b in ((f"raw.{table}", files), (files, f"raw.{table}"))
    )


def files(con, table: str) -> dict[date, tuple[int, ...]]:
    """Day -> inodes of the day's files (a rewritten day gets new files)."""
    folder = lake.root_of(con) / "raw" / table
    return {
        date.fromisoformat(day.name.split("=", 1)[1]): tuple(
            sorted(path.stat().st_ino for path in day.glob("part-*.parquet"))
        )
        for day in folder.glob(f"{DAY_TABLES[table]}=2*")
    }


def check(con) -> None:
    for table in DAY_TABLES:
        assert folders_differ(con, table) == 0, table


def test_the_project_reads_both_raw_tables_where_landing_writes_them(warehouse, tmp_path):
    con, _, _ = warehouse
    manifest = project_manifest()
    assert all(
        manifest["sources"][f"source.leadwarehouse.raw.{table}"]["meta"]
        == {"lake_day_column": column, "landing_lake": True}
        for table, column in DAY_TABLES.items()
    )
    export = tmp_path / "export"
    (export / "raw" / "lead_events" / "event_date=2026-10-26").mkdir(parents=True)  # an old one
    exported = {e.table for e in export_sources(con, manifest, export)}
    assert exported == {"ingest_manifest", "quarantine"}
    assert not (export / "raw" / "lead_events").exists()  # the old export's copy is removed
    check(con)
    for table, column in DAY_TABLES.items():
        # a file of no rows in the null day keeps the columns for Spark when no day is left
        schema = lake.root_of(con) / "raw" / table / f"{column}={NULL_PARTITION}"
        assert [p.name for p in schema.iterdir()] == ["data.parquet"]


def test_new_days_add_files_and_old_days_keep_theirs(warehouse):
    con, landing, later = warehouse
    before = {table: files(con, table) for table in DAY_TABLES}
    assert sorted(before["lead_events"]) == [date(2026, 10, d) for d in (26, 27, 28)]
    shutil.copytree(later, landing, dirs_exist_ok=True)
    for dataset in ("events", "submissions"):
        land(con, landing, dataset)
    check(con)
    for table in DAY_TABLES:
        after = files(con, table)
        assert date(2026, 10, 29) in after
        for day, inodes in before[table].items():  # landing only adds files beside
            assert set(inodes) <= set(after[day])


def test_a_corrected_event_rewrites_its_day_only(warehouse):
    con, landing, _ = warehouse
    before = files(con, "lead_events")
    source_file, line = con.execute(
        "select source_file, source_line from raw.lead_events"
        " where event_date = '2026-10-27' order by event_id limit 1"
    ).fetchone()
    lines = (landing / "events" / source_file).read_bytes().split(b"\n")
    event = json.loads(lines[line - 1])
    event["corrected"] = True
    (landing / "events" / "corrections.ndjson").write_text(json.dumps(event) + "\n")
    assert land(con, landing, "events").total("loaded") == 1
    assert con.execute("select count(*) from raw.superseded_events").fetchone()[0] == 1
    check(con)
    after = files(con, "lead_events")
    # 10-27: its file holding the replaced version written again, and the new version's file
    assert [day for day in before if after[day] != before[day]] == [date(2026, 10, 27)]


def test_a_purge_removes_the_purged_days_folders(warehouse):
    con, _, _ = warehouse
    keep = RetentionConfig(
        (DatasetRetention("events", 2, False), DatasetRetention("submissions", 2, False))
    )
    purge(con, keep, today=date(2026, 10, 29))  # keeps 2026-10-27 and later
    check(con)
    for table in DAY_TABLES:
        assert min(files(con, table)) == date(2026, 10, 27)
        assert not (lake.root_of(con) / "raw" / table / f"{DAY_TABLES[table]}=2026-10-26").exists()
