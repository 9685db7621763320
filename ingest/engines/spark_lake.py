"""The Parquet copies of dbt's sources that the Spark target reads (``LEADWH_ENGINE=spark``).

The raw events and submissions are written once, for both engines: landing keeps them as
Parquet day files in the warehouse's lake (``ingest.landing.lake``, ``$LEADWH_HOME/
warehouse.lake``, ``raw/<table>/<day column>=<YYYY-MM-DD>/``), read by DuckDB through views and
by Spark in place: the sources whose meta has ``landing_lake`` (models/staging/_sources.yml),
where macro ``register_parquet_sources`` points Spark's external tables, partitioned by their
``lake_day_column`` (Spark prunes the day folders on the staging filters). Nothing of them is
exported. DuckDB writes ``TIMESTAMP`` columns without the UTC-adjusted flag; the profile's
``inferTimestampNTZ=false`` and UTC session zone make Spark read them as the same instants.

The other sources, small tables of the warehouse file (quarantine, manifest, typed leads), are
exported whole before each dbt step on Spark, with DuckDB's ``COPY ... (FORMAT parquet)``, to
``<lake>/<schema>/<table>/data.parquet``; each folder is written hidden beside its place and
swapped in by rename, so the folders Spark reads are always complete (a killed export leaves
only hidden leftovers, which Spark does not read and the next export removes).
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ingest.landing import lake
from ingest.warehouse import sql_literal

PROJECT_PACKAGE = "leadwarehouse"
DATA_FILE = "data.parquet"
NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"  # Spark's folder name for a null partition value

#: A source's meta key naming the column the lake keeps a folder per day of (_sources.yml).
DAY_COLUMN_META = "lake_day_column"
#: A source's meta key: landing keeps it in the warehouse's lake (nothing to export).
LANDING_LAKE_META = "landing_lake"


@dataclass(frozen=True)
class Exported:
    schema: str
    table: str
    rows: int
    folder: Path

    def describe(self) -> str:
        return f"{self.schema}.{self.table} {self.rows}"


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


def export_table(con: duckdb.DuckDBPyConnection, schema: str, table: str, root: Path) -> Exported:
    """Export one warehouse table to ``<root>/<schema>/<table>/data.parquet``, swapped in whole."""
    folder = table_folder(root, schema, table)
    folder.parent.mkdir(parents=True, exist_ok=True)
    remove_leftovers(folder)
    temporary = _hidden(folder, "tmp")
    temporary.mkdir()
    try:
        rows = copy_to(con, f'select * from "{schema}"."{table}"', temporary / DATA_FILE)
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
    """Export the dbt sources that live in the warehouse file to the lake under `root`, whole;
    the ones landing keeps in the warehouse's lake get only a schema file (see
    :func:`write_schema_file`)."""
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
        shutil.rmtree(table_folder(root, schema, table), ignore_errors=True)  # an old export's
        folder = table_folder(lake.root_of(con), schema, table)
        if not (folder / f"{by_day[(schema, table)]}={NULL_PARTITION}").exists():
            folder.mkdir(parents=True, exist_ok=True)  # Spark's columns before any day lands
            write_schema_file(con, schema, table, by_day[(schema, table)], folder)
    return [
        export_table(con, schema, table, root)
        for schema, table in tables
        if (schema, table) not in landed
    ]
