"""Connections to the warehouse file, with the memory limit every writer shares.

DuckDB's default is 80% of the machine's memory; the warehouse caps it (environment variable
LEADWH_DUCKDB_MEMORY_LIMIT, default 4GB, read by dbt's profile too) so that the pipeline's peak
stays predictable and larger work spills to disk instead.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from ingest.settings import get_settings


def memory_limit() -> str:
    return get_settings().duckdb_memory_limit


def connect_warehouse(path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A connection to the warehouse file (created when missing, unless read-only)."""
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path), read_only=read_only, config={"memory_limit": memory_limit()})
    con.execute("set enable_progress_bar = false")
    return con


def wal_path(database: Path) -> Path:
    """The write-ahead log DuckDB keeps beside a database file (changes not yet checkpointed)."""
    return database.with_name(database.name + ".wal")


def sql_literal(text: str) -> str:
    """`text` as a SQL string literal (for what DuckDB takes no parameter in: file names in
    ``read_parquet``, ``COPY ... TO``, a view's definition)."""
    return "'" + text.replace("'", "''") + "'"


def rollback(con: duckdb.DuckDBPyConnection) -> None:
    """Roll back the open transaction after an error, so that error stays the one raised. DuckDB
    has already rolled back a transaction whose commit failed (a full disk: "Could not write
    file ... No space left on device"); rolling back again would raise "cannot rollback - no
    transaction is active" in its place, and the operator would never see the cause."""
    try:
        con.execute("rollback")
    except duckdb.Error:
        pass
