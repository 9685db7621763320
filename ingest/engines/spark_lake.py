"""The Parquet copies of dbt's sources that the Spark target reads (``LEADWH_ENGINE=spark``).

Landing writes the raw and typed tables into the DuckDB warehouse on both engines (this round);
before a dbt step runs on Spark, each source table (``sources:`` of the dbt project: raw.*,
typed.leads) is exported whole with DuckDB's ``COPY ... (FORMAT parquet)`` to
``<lake>/<schema>/<table>/``, where macro ``register_parquet_sources`` points Spark's external
tables. Each table is written to a hidden temporary folder beside it and swapped in by rename, so
the folder Spark reads is always one complete export (a killed export leaves only hidden
leftovers, removed by the next one). DuckDB writes ``TIMESTAMP`` columns without the UTC-adjusted
flag; the profile's ``inferTimestampNTZ=false`` and UTC session zone make Spark read them as the
same instants.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb

PROJECT_PACKAGE = "leadwarehouse"
DATA_FILE = "data.parquet"


@dataclass(frozen=True)
class Exported:
    schema: str
    table: str
    rows: int
    folder: Path


def source_tables(manifest: dict) -> list[tuple[str, str]]:
    """(schema, table) of every source of the project in dbt's manifest, sorted."""
    return sorted(
        {
            (source["schema"], source["identifier"])
            for source in manifest.get("sources", {}).values()
            if source.get("package_name") == PROJECT_PACKAGE
        }
    )


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


def swap_in(new: Path, folder: Path) -> None:
    """Make `new` (a complete folder beside `folder`) the folder: two renames, never a partial
    folder under the name (at worst, killed between them, none until the next export)."""
    old = _hidden(folder, "old")
    if folder.exists():
        os.rename(folder, old)
    os.rename(new, folder)
    shutil.rmtree(old, ignore_errors=True)


def export_table(con: duckdb.DuckDBPyConnection, schema: str, table: str, root: Path) -> Exported:
    """Export one warehouse table to ``<root>/<schema>/<table>/data.parquet``, swapped in whole."""
    folder = table_folder(root, schema, table)
    folder.parent.mkdir(parents=True, exist_ok=True)
    remove_leftovers(folder)
    temporary = _hidden(folder, "tmp")
    temporary.mkdir()
    try:
        target = str(temporary / DATA_FILE).replace("'", "''")
        rows = con.execute(
            f'copy (select * from "{schema}"."{table}") to \'{target}\' (format parquet)'
        ).fetchone()[0]
        swap_in(temporary, folder)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    return Exported(schema, table, rows, folder)


def missing_tables(con: duckdb.DuckDBPyConnection, tables: list[tuple[str, str]]):
    present = set(
        con.execute("select table_schema, table_name from information_schema.tables").fetchall()
    )
    return [f"{schema}.{table}" for schema, table in tables if (schema, table) not in present]


def export_sources(con: duckdb.DuckDBPyConnection, manifest: dict, root: Path) -> list[Exported]:
    """Export every dbt source table from the warehouse to the lake under `root`."""
    tables = source_tables(manifest)
    missing = missing_tables(con, tables)
    if missing:
        raise LookupError(
            f"dbt's sources {', '.join(missing)} are not in the warehouse: land files first"
            " (`leadwh build` lands before it transforms)"
        )
    return [export_table(con, schema, table, root) for schema, table in tables]
