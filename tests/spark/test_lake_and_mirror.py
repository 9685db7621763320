"""The Spark engine's plumbing without Spark: dbt's sources exported to Parquet (swapped in whole),
and Spark's table folders (laid out as Spark writes them) mirrored into DuckDB."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from datetime import date, datetime

import duckdb
import pytest

from ingest.engines import lake_root
from ingest.engines.spark_lake import export_sources, source_tables, swap_in
from ingest.engines.spark_mirror import (
    BuiltTable,
    Column,
    built_tables,
    data_files,
    mirror_tables,
    table_folder,
)
from tests.conftest import environment
from tests.spark.spark_needed import require_spark

MANIFEST = {
    "sources": {
        "source.leadwarehouse.raw.events": {
            "package_name": "leadwarehouse",
            "schema": "raw",
            "identifier": "events",
        },
        "source.other.x.y": {"package_name": "other", "schema": "x", "identifier": "y"},
    },
    "nodes": {
        "model.leadwarehouse.fct_a": {
            "resource_type": "model",
            "schema": "marts",
            "name": "fct_a",
            "alias": "fct_a",
            "config": {"materialized": "incremental"},
            "columns": {
                "day": {"name": "day", "data_type": "date"},
                "id": {"name": "id", "data_type": "bigint"},
                "body": {"name": "body", "data_type": "json"},
            },
        },
        "model.leadwarehouse.stg_b": {
            "resource_type": "model",
            "schema": "staging",
            "name": "stg_b",
            "config": {"materialized": "view"},
        },
        "model.leadwarehouse.fct_c": {
            "resource_type": "model",
            "schema": "marts",
            "name": "fct_c",
            "config": {"materialized": "table"},
        },
    },
}


def test_sources_are_exported_whole_and_swapped_in(tmp_path):
    con = duckdb.connect()
    con.execute("create schema raw; create table raw.events (id int, seen_at timestamp)")
    con.execute("insert into raw.events values (1, '2026-10-26 23:30:00'), (2, null)")
    assert source_tables(MANIFEST) == [("raw", "events")]
    root = lake_root(tmp_path)
    assert root == tmp_path / "lake"
    (root / "raw").mkdir(parents=True)
    (root / "raw" / ".events.tmp-killed").mkdir()  # a killed export's leftover
    (exported,) = export_sources(con, MANIFEST, root)
    assert exported.rows == 2 and exported.folder == root / "raw" / "events"
    con.execute("insert into raw.events values (3, null)")
    export_sources(con, MANIFEST, root)
    assert sorted(p.name for p in (root / "raw").iterdir()) == ["events"]
    assert [p.name for p in (root / "raw" / "events").iterdir()] == ["data.parquet"]
    rows = con.execute(f"select * from '{root}/raw/events/*.parquet' order by id").fetchall()
    assert rows == [(1, datetime(2026, 10, 26, 23, 30)), (2, None), (3, None)]
    con.execute("drop table raw.events")
    with pytest.raises(LookupError, match="raw.events are not in the warehouse"):
        export_sources(con, MANIFEST, root)


def test_swap_replaces_a_folder_by_another(tmp_path):
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "old").write_text("old")
    (tmp_path / ".t.tmp-1").mkdir()
    (tmp_path / ".t.tmp-1" / "new").write_text("new")
    swap_in(tmp_path / ".t.tmp-1", tmp_path / "t")
    assert [p.name for p in tmp_path.iterdir()] == ["t"]
    assert [p.name for p in (tmp_path / "t").iterdir()] == ["new"]


def test_the_built_marts_are_the_successful_table_models_of_marts():
    run_results = {
        "results": [
            {"unique_id": "model.leadwarehouse.fct_a", "status": "success"},
            {"unique_id": "model.leadwarehouse.stg_b", "status": "success"},
            {"unique_id": "model.leadwarehouse.fct_c", "status": "error"},
            {"unique_id": "test.leadwarehouse.t1", "status": "pass"},
        ]
    }
    (table,) = built_tables(run_results, MANIFEST)
    assert table == BuiltTable(
        "marts",
        "fct_a",
        (Column("day", "date"), Column("id", "bigint"), Column("body", "json")),
    )


def spark_like_table(con, folder, partitions: dict[str | None, str]):
    """Parquet files laid out as Spark writes a table partitioned by `day` (the partition column
    out of the files, null as __HIVE_DEFAULT_PARTITION__, timestamps UTC-adjusted) with the
    debris Spark leaves beside them."""
    for day, rows in partitions.items():
        part = folder / f"day={day or '__HIVE_DEFAULT_PARTITION__'}"
        part.mkdir(parents=True)
        con.execute(
            f"copy (select * from (values {rows}) v(body, id, seen_at)) to "
            f"'{part}/part-00000-x.c000.snappy.parquet' (format parquet)"
        )
        (part / ".part-00000-x.c000.snappy.parquet.crc").write_bytes(b"crc")
    (folder / "_SUCCESS").write_text("")
    staging = folder / ".spark-staging-1" / "day=2026-10-28"  # a killed overwrite
    staging.mkdir(parents=True)
    con.execute(f"copy (select 1 as id) to '{staging}/part-9.parquet' (format parquet)")


def test_spark_tables_are_mirrored_in_duckdb_shape(tmp_path):
    con = duckdb.connect()
    con.execute("set TimeZone = 'America/New_York'")  # the session zone must not matter
    warehouse = tmp_path / "spark" / "warehouse"
    folder = table_folder(warehouse, "marts", "fct_a")
    assert folder == warehouse / "marts.db" / "fct_a"
    ts = "timestamptz '2026-10-26 23:30:00+00'"
    spark_like_table(
        con,
        folder,
        {
            "2026-10-26": f"""('{{"a": 1}}', 1::bigint, {ts})""",
            None: "(null, 2::bigint, null::timestamptz)",
        },
    )
    assert len(data_files(folder)) == 2
    con.execute("create schema marts; create table marts.fct_a (stale int)")
    con.execute("create table marts.fct_c as select 1 as x")
    tables = [
        BuiltTable(
            "marts",
            "fct_a",
            (Column("day", "date"), Column("id", "bigint"), Column("body", "json")),
        ),
        BuiltTable("marts", "fct_e", (Column("id", "bigint"), Column("day", "date"))),
    ]
    assert mirror_tables(con, warehouse, tables) == {"marts.fct_a": 2, "marts.fct_e": 0}
    assert con.execute("describe marts.fct_a").fetchall() == [
        ("day", "DATE", "YES", None, None, None),
        ("id", "BIGINT", "YES", None, None, None),
        ("body", "JSON", "YES", None, None, None),
        ("seen_at", "TIMESTAMP", "YES", None, None, None),
    ]
    assert con.execute("select * from marts.fct_a order by id").fetchall() == [
        (date(2026, 10, 26), 1, '{"a": 1}', datetime(2026, 10, 26, 23, 30)),
        (None, 2, None, None),
    ]
    assert [r[:2] for r in con.execute("describe marts.fct_e").fetchall()] == [
        ("id", "BIGINT"),
        ("day", "DATE"),
    ]


def test_a_failed_mirror_leaves_every_table_as_it_was(tmp_path):
    con = duckdb.connect()
    warehouse = tmp_path / "warehouse"
    folder = table_folder(warehouse, "marts", "fct_a")
    folder.mkdir(parents=True)
    con.execute(f"copy (select 1::bigint as id) to '{folder}/part-0.parquet' (format parquet)")
    con.execute("create schema marts; create table marts.fct_a as select 7 as id")
    con.execute("create table marts.fct_b as select 8 as id")
    tables = [
        BuiltTable("marts", "fct_a"),
        BuiltTable("marts", "fct_b", (Column("id", "date"),)),  # bigint -> date fails
    ]
    table_folder(warehouse, "marts", "fct_b").mkdir()
    con.execute(
        f"copy (select 1::bigint as id) to '{warehouse}/marts.db/fct_b/p.parquet' (format parquet)"
    )
    with pytest.raises(duckdb.Error):
        mirror_tables(con, warehouse, tables)
    assert con.execute("select id from marts.fct_a").fetchall() == [(7,)]
    assert con.execute("select id from marts.fct_b").fetchall() == [(8,)]


def test_the_engine_picks_dbt_s_target():
    from orchestration.defs.project import dbt_cli

    with environment(LEADWH_ENGINE="duckdb"):
        assert dbt_cli().target is None  # the profile's default: DuckDB
    with environment(LEADWH_ENGINE="spark"):
        assert dbt_cli().target == "spark"


def test_a_spark_parse_leaves_the_duckdb_manifest_alone():
    """A `leadwh build` on Spark beside `dagster dev` on DuckDB, from one checkout: before, both
    parsed into dbt_project/target/, so each found the other's manifest (and partial-parse file)
    there and parsed again, and a run could read the other engine's manifest."""
    from orchestration.defs.project import dbt_project, manifest_is_current, prepare

    require_spark()
    with environment(LEADWH_ENGINE="duckdb"):
        prepare()
        target = dbt_project.manifest_path.parent
        files = [target / "manifest.json", target / "partial_parse.msgpack"]
        before = [hashlib.sha256(f.read_bytes()).hexdigest() for f in files]
        env = {k: v for k, v in os.environ.items() if k != "DBT_TARGET_PATH"}
        code = (
            "from orchestration.defs.project import dbt_project, prepare; prepare();"
            " print(dbt_project.manifest_path)"
        )
        spark = subprocess.run(
            [sys.executable, "-c", code],
            env={**env, "LEADWH_ENGINE": "spark"},
            capture_output=True,
            text=True,
            check=True,
        )
        assert spark.stdout.split()[-1] == str(target / "spark" / "manifest.json")
        assert (target / "spark" / "manifest.json").exists()
        assert [hashlib.sha256(f.read_bytes()).hexdigest() for f in files] == before
        assert manifest_is_current()  # a DuckDB process does not parse again
