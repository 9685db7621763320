"""The Parquet copies of dbt's sources that the Spark target reads (``LEADWH_ENGINE=spark``).

Landing writes the raw and typed tables for both engines; before a dbt step runs on Spark, each
source table (``sources:`` of the dbt project: raw.*, typed.leads) that lives in the warehouse
file is exported with DuckDB's ``COPY ... (FORMAT parquet)`` to ``<lake>/<schema>/<table>/``,
where macro ``register_parquet_sources`` points Spark's external tables. A source whose meta has
``landing_lake`` (the submissions) is kept by landing itself as Parquet day files in the
warehouse's lake (``ingest.landing.lake``, ``$LEADWH_HOME/warehouse.lake``): Spark reads its
folder there, and nothing is exported (written once, read by both engines). DuckDB writes
``TIMESTAMP`` columns without the UTC-adjusted flag; the profile's ``inferTimestampNTZ=false``
and UTC session zone make Spark read them as the same instants.

The raw events and submissions are exported by day (their ``lake_day_column`` in the sources'
meta, models/staging/_sources.yml): a folder per day,
``<table>/<day column>=<YYYY-MM-DD>/`` (Spark reads the day column from the folder name and
prunes days by it), and each export rewrites only the days whose rows changed since the last one:
rows loaded since (their ``ingested_at``), events superseded since (``raw.superseded_events``),
days a retention purge emptied. ``meta.lake_exports`` in the warehouse keeps, per table, the
marks the last export reached; a table is exported whole again when it has no marks (a new
warehouse), its folder is missing, its columns changed, the lake moved, or raw was redacted again
since. The other sources (quarantine, manifest, typed leads) are exported whole each time.

Every folder is written hidden beside its place and swapped in by rename, so the folders Spark
reads are always complete (a killed export leaves only hidden leftovers, which Spark does not read
and the next export removes); the marks are recorded after the folders are in place, so a killed
export is redone by the next.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from ingest.landing import lake
from ingest.landing.raw_store import SUPERSEDED_IN, has_table
from ingest.ops.retention import RAW_TABLES
from ingest.warehouse import rollback, sql_literal

PROJECT_PACKAGE = "leadwarehouse"
DATA_FILE = "data.parquet"
NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"  # Spark's folder name for a null partition value

#: A source's meta key naming the column the lake keeps a folder per day of (_sources.yml).
DAY_COLUMN_META = "lake_day_column"
#: A source's meta key: landing keeps it in the warehouse's lake (nothing to export).
LANDING_LAKE_META = "landing_lake"
#: The retention dataset of each raw table (ops.retention_log.dataset).
RETENTION_DATASETS = {("raw", table): dataset for dataset, (table, _) in RAW_TABLES.items()}

MARKS_DDL = """
create schema if not exists meta;
create table if not exists meta.lake_exports (
    schema_name  varchar not null,
    table_name   varchar not null,
    marks        varchar not null,   -- JSON: what the last export of the table reached
    exported_at  timestamp not null
);
"""


@dataclass(frozen=True)
class Exported:
    schema: str
    table: str
    rows: int
    folder: Path
    days: int | None = None  # day folders rewritten; None: the table was exported whole

    def describe(self) -> str:
        how = "whole" if self.days is None else f"{self.days} days"
        return f"{self.schema}.{self.table} {self.rows} ({how})"


def _project_sources(manifest: dict) -> list[dict]:
    return [
        source
        for source in manifest.get("sources", {}).values()
        if source.get("package_name") == PROJECT_PACKAGE
    ]


def source_tables(manifest: dict) -> list[tuple[str, str]]:
    """(schema, table) of every source of the project in dbt's manifest, sorted."""
    return sorted({(s["schema"], s["identifier"]) for s in _project_sources(manifest)})


def day_columns(manifest: dict) -> dict[tuple[str, str], str]:
    """(schema, table) -> day column of the sources the lake keeps by day (their meta)."""
    return {
        (source["schema"], source["identifier"]): source["meta"][DAY_COLUMN_META]
        for source in _project_sources(manifest)
        if source.get("meta", {}).get(DAY_COLUMN_META)
    }


def in_landing_lake(manifest: dict) -> set[tuple[str, str]]:
    """(schema, table) of the sources landing keeps in the warehouse's lake (their meta)."""
    return {
        (source["schema"], source["identifier"])
        for source in _project_sources(manifest)
        if source.get("meta", {}).get(LANDING_LAKE_META)
    }


def read_manifest(path: Path) -> dict:
    return json.loads(path.read_text())


def table_folder(root: Path, schema: str, table: str) -> Path:
    return root / schema / table


def _hidden(folder: Path, kind: str) -> Path:
    return folder.parent / f".{folder.name}.{kind}-{uuid.uuid4().hex[:12]}"


def remove_leftovers(folder: Path) -> list[Path]:
    """Remove the hidden temporary and replaced copies of `folder` that killed exports left."""
    removed = []
    if folder.parent.is_dir():
        for path in sorted(folder.parent.glob(f".{folder.name}.*-*")):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def swap_in(new: Path | None, folder: Path) -> None:
    """Make `new` (a complete folder beside `folder`) the folder, or remove the folder when
    `new` is None: renames, never a partial folder under the name (at worst, killed between
    them, none until the next export)."""
    old = _hidden(folder, "old")
    if folder.exists():
        os.rename(folder, old)
    if new is not None:
        os.rename(new, folder)
    shutil.rmtree(old, ignore_errors=True)


def copy_to(
    con: duckdb.DuckDBPyConnection, query: str, target: Path, options: str = "", params=None
) -> int:
    """DuckDB's ``COPY (query) TO target (FORMAT parquet, options)``; the rows written."""
    options = f", {options}" if options else ""
    return con.execute(
        f"copy ({query}) to {sql_literal(str(target))} (format parquet{options})", params or []
    ).fetchone()[0]


def export_table(
    con: duckdb.DuckDBPyConnection, schema: str, table: str, root: Path, partition_by: str = ""
) -> Exported:
    """Export one warehouse table to ``<root>/<schema>/<table>/``, swapped in whole: one file
    ``data.parquet``, or with `partition_by` a folder per value of that column."""
    folder = table_folder(root, schema, table)
    folder.parent.mkdir(parents=True, exist_ok=True)
    remove_leftovers(folder)
    temporary = _hidden(folder, "tmp")
    temporary.mkdir()
    try:
        query = f'select * from "{schema}"."{table}"'
        if partition_by:
            write_schema_file(con, schema, table, partition_by, temporary)
            options = f"partition_by ({partition_by}), overwrite_or_ignore"
            rows = copy_to(con, query, temporary, options)
        else:
            rows = copy_to(con, query, temporary / DATA_FILE)
        swap_in(temporary, folder)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    return Exported(schema, table, rows, folder)


def write_schema_file(
    con: duckdb.DuckDBPyConnection, schema: str, table: str, column: str, folder: Path
) -> None:
    """A file of no rows in the folder of the null day (``<column>=__HIVE_DEFAULT_PARTITION__``):
    Spark takes a table's columns from its files, so a table with no day left still has them."""
    part = folder / f"{column}={NULL_PARTITION}"
    part.mkdir()
    copy_to(con, f'select * exclude ({column}) from "{schema}"."{table}" limit 0', part / DATA_FILE)


def missing_tables(con: duckdb.DuckDBPyConnection, tables: list[tuple[str, str]]):
    present = set(
        con.execute("select table_schema, table_name from information_schema.tables").fetchall()
    )
    return [f"{schema}.{table}" for schema, table in tables if (schema, table) not in present]


def export_sources(con: duckdb.DuckDBPyConnection, manifest: dict, root: Path) -> list[Exported]:
    """Export every dbt source table from the warehouse to the lake under `root`: the day
    tables by changed day, the others whole."""
    tables = source_tables(manifest)
    missing = missing_tables(con, tables)
    if missing:
        raise LookupError(
            f"dbt's sources {', '.join(missing)} are not in the warehouse: land files first"
            " (`leadwh build` lands before it transforms)"
        )
    by_day = day_columns(manifest)
    landed = in_landing_lake(manifest)
    for schema, table in sorted(landed):
        folder = table_folder(lake.root_of(con), schema, table)
        if not (folder / f"{by_day[(schema, table)]}={NULL_PARTITION}").exists():
            folder.mkdir(parents=True, exist_ok=True)  # Spark's columns before any day lands
            write_schema_file(con, schema, table, by_day[(schema, table)], folder)
    return [
        export_by_day(con, schema, table, by_day[(schema, table)], root)
        if (schema, table) in by_day
        else export_table(con, schema, table, root)
        for schema, table in tables
        if (schema, table) not in landed
    ]


def _scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None):
    return con.execute(sql, params or []).fetchone()[0]


AFTER = "{column} > coalesce(?::timestamp, '-infinity'::timestamp)"


def _newest(con: duckdb.DuckDBPyConnection, table: str, column: str, after: str | None):
    """The newest `column` of `table` (a stamp), reading only the rows stamped after `after`
    (appended in stamp order, so DuckDB skips the older row groups); `after` when none is."""
    where = AFTER.format(column=column)
    newest = _scalar(con, f"select max({column}) from {table} where {where}", [after])
    return after if newest is None else newest.isoformat()


def stamped_tables(con: duckdb.DuckDBPyConnection, schema: str, table: str):
    """(table, its load stamp column, the mark it is kept under) of the rows whose days an
    export must follow: the table's own loads, and for events the versions superseded since."""
    tables = [(f'"{schema}"."{table}"', "ingested_at", "loaded")]
    superseded = SUPERSEDED_IN.get(table) if schema == "raw" else None
    if superseded and has_table(con, "raw", superseded):
        tables.append((f"raw.{superseded}", "superseded_at", "superseded"))
    return tables


def current_marks(
    con: duckdb.DuckDBPyConnection, schema: str, table: str, root: Path, since: dict | None
) -> dict:
    """What an export of the table now reaches: its columns, the newest load, supersession,
    purge and redaction, the lake's place (`since`: the marks of the last export, or None)."""
    since = since or {}
    columns = con.execute(
        "select column_name, data_type from information_schema.columns"
        " where table_schema = ? and table_name = ? order by ordinal_position",
        [schema, table],
    ).fetchall()
    marks = {
        "root": str(root),
        "columns": [list(column) for column in columns],
        "loaded": None,
        "superseded": None,
        "purged": None,
        "redacted": None,
    }
    for source, stamp, mark in stamped_tables(con, schema, table):
        marks[mark] = _newest(con, source, stamp, since.get(mark))
    if has_table(con, "ops", "retention_log"):
        dataset = RETENTION_DATASETS.get((schema, table), "")
        purged = _scalar(
            con,
            "select max(purged_at) from ops.retention_log where dataset = ? and not dry_run",
            [dataset],
        )
        marks["purged"] = None if purged is None else purged.isoformat()
    if has_table(con, "raw", "redaction_state"):
        marks["redacted"] = _newest(con, "raw.redaction_state", "redacted_at", None)
    return marks


def stored_marks(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> dict | None:
    con.execute(MARKS_DDL)
    row = con.execute(
        "select marks from meta.lake_exports where schema_name = ? and table_name = ?",
        [schema, table],
    ).fetchone()
    return None if row is None else json.loads(row[0])


def record_marks(con: duckdb.DuckDBPyConnection, schema: str, table: str, marks: dict) -> None:
    con.execute("begin transaction")
    try:
        con.execute(
            "delete from meta.lake_exports where schema_name = ? and table_name = ?",
            [schema, table],
        )
        con.execute(
            "insert into meta.lake_exports values (?, ?, ?, now() at time zone 'UTC')",
            [schema, table, json.dumps(marks)],
        )
        con.execute("commit")
    except BaseException:
        rollback(con)
        raise


def day_folders(folder: Path, column: str) -> dict[date, Path]:
    """The day folders of a table's folder (hidden leftovers aside)."""
    days = {}
    for path in folder.glob(f"{column}=*"):
        try:
            days[date.fromisoformat(path.name.split("=", 1)[1])] = path
        except ValueError:
            continue
    return days


def changed_days(
    con: duckdb.DuckDBPyConnection, schema: str, table: str, column: str, folder: Path, since: dict
) -> set[date]:
    """The days of the table whose rows changed after the marks `since`: rows loaded, events
    superseded, and the exported days a purge since has emptied (they are rewritten or removed)."""
    days = {
        row[0]
        for source, stamp, mark in stamped_tables(con, schema, table)
        for row in con.execute(
            f"select distinct {column} from {source} where {AFTER.format(column=stamp)}",
            [since[mark]],
        ).fetchall()
    }
    if has_table(con, "ops", "retention_log"):
        cutoff = _scalar(
            con,
            "select max(cutoff_date) from ops.retention_log where dataset = ? and not dry_run"
            f" and {AFTER.format(column='purged_at')}",
            [RETENTION_DATASETS.get((schema, table), ""), since["purged"]],
        )
        if cutoff is not None:
            days |= {day for day in day_folders(folder, column) if day < cutoff}
    return days


def must_export_whole(folder: Path, since: dict | None, now: dict) -> bool:
    return (
        since is None
        or not folder.is_dir()
        or any(since.get(key) != now[key] for key in ("root", "columns", "redacted"))
    )


def export_by_day(
    con: duckdb.DuckDBPyConnection, schema: str, table: str, column: str, root: Path
) -> Exported:
    """Export a table by `column`'s days: whole when it must be (see the module), else the
    changed days."""
    folder = table_folder(root, schema, table)
    since = stored_marks(con, schema, table)
    now = current_marks(con, schema, table, root, since)
    if must_export_whole(folder, since, now):
        exported = export_table(con, schema, table, root, partition_by=column)
    else:
        for leftover in folder.glob(".*"):
            shutil.rmtree(leftover, ignore_errors=True)
        days = sorted(changed_days(con, schema, table, column, folder, since))
        rows = sum(export_day(con, schema, table, column, day, folder) for day in days)
        exported = Exported(schema, table, rows, folder, len(days))
    record_marks(con, schema, table, now)
    return exported


def export_day(
    con: duckdb.DuckDBPyConnection, schema: str, table: str, column: str, day: date, folder: Path
) -> int:
    """Rewrite one day's folder (``<column>=<day>/``, swapped in whole), or remove it when the
    day has no rows left. Returns the rows written."""
    part = folder / f"{column}={day.isoformat()}"
    temporary = _hidden(part, "tmp")
    temporary.mkdir()
    try:
        query = f'select * exclude ({column}) from "{schema}"."{table}" where {column} = ?'
        rows = copy_to(con, query, temporary / DATA_FILE, params=[day])
        if rows:
            swap_in(temporary, part)
        else:
            shutil.rmtree(temporary)
            swap_in(None, part)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    return rows
