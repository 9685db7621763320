"""Backups of the warehouse: a consistent copy of its file, checked, with the key of its hashes.

``backup(paths, root)`` copies ``warehouse.duckdb`` (and its write-ahead log, if a crash left
one) into ``root/<UTC time>/`` while it holds a read-only connection to it: DuckDB lets no
process open the file for writing meanwhile, so no build changes it mid-copy, and one that is
writing it makes the backup stop at once with ``BackupError`` (try again when it ends). The copy
is written under a temporary name, opened read-only and its tables counted against the
original's before it gets its name; ``backup.json`` records what was copied. The raw tables kept
in the lake (``warehouse.lake/``, beside the file) are copied with it: the files its catalog
names (hard links where the backup is on the same file system: a lake file is never changed,
only replaced), their rows counted against the catalog's. The HMAC key file of
``ssn__hash`` (``secrets/hmac.key``, mode 0600) is copied with it: a warehouse restored with
another key would hash the same SSNs differently.

What needs no backup: the serving file (the next build publishes it again from the warehouse)
and the Dagster home (run history). The landing zone is the source of raw data while retention
keeps its files; the marts' history before that lives only in the warehouse.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from ingest.landing import lake
from ingest.landing.hmac_key import key_path
from ingest.paths import Paths
from ingest.warehouse import wal_path


class BackupError(RuntimeError):
    """The warehouse cannot be backed up now (missing, being written, or the copy differs)."""


@dataclass(frozen=True)
class BackupResult:
    folder: str
    files: dict[str, int]  # file name -> bytes
    tables: dict[str, int]  # schema.table -> rows, in the copy (equal to the original's)
    seconds: float


def _table_rows(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rows per table of the warehouse file (the lake's tables: as its catalog counts them)."""
    tables = con.execute(
        "select schema_name, table_name from duckdb_tables() order by 1, 2"
    ).fetchall()
    return {
        f"{schema}.{table}": con.execute(f'select count(*) from "{schema}"."{table}"').fetchone()[0]
        for schema, table in tables
    } | {f"lake.{table}": rows for table, rows, _ in _lake_files(con)}


def _lake_files(con: duckdb.DuckDBPyConnection) -> list[tuple[str, int, list[str]]]:
    """(table, rows, files) of the lake's committed files; a file not yet renamed (its writer
    was killed after the commit) is named as it is on disk: the next landing renames it."""
    if not con.execute(
        "select count(*) from duckdb_tables() where schema_name = 'raw'"
        " and table_name = 'lake_files'"
    ).fetchone()[0]:
        return []
    rows = con.execute(
        "select table_name, sum(rows)::bigint, list(path order by path) from raw.lake_files"
        " where state in ('live', 'written') group by 1 order by 1"
    ).fetchall()
    return rows


def _copy_lake(
    con: duckdb.DuckDBPyConnection, source: Path, target: Path
) -> tuple[dict[str, int], int]:
    """The lake's committed files into `target` (hard links when it can); returns the rows of
    the copies per table, read from their own footers, and their bytes."""
    copied, size = {}, 0
    for table, _, files in _lake_files(con):
        names = []
        for path in files:
            found = source / path
            if not found.exists():  # committed, not renamed yet
                found = lake.temporary_name(found)
            copy = target / found.relative_to(source)
            copy.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(found, copy)
            except OSError:
                shutil.copyfile(found, copy)
            names.append(str(copy))
            size += copy.stat().st_size
        copied[f"lake.{table}"] = con.execute(
            "select sum(num_rows)::bigint from parquet_file_metadata(?)", [names]
        ).fetchone()[0]
    return copied, size


def _open_for_backup(warehouse: Path) -> duckdb.DuckDBPyConnection:
    if not warehouse.is_file():
        raise BackupError(f"no warehouse at {warehouse}: nothing to back up")
    try:
        return duckdb.connect(str(warehouse), read_only=True)
    except duckdb.IOException as error:
        if "lock" not in str(error).lower():
            raise
        raise BackupError(
            f"{warehouse} is being written (a build, a sensor run or another tool holds it):"
            " back it up when that ends"
        ) from None


def _copy(source: Path, target: Path) -> int:
    partial = target.with_name(target.name + ".partial")
    shutil.copyfile(source, partial)
    os.replace(partial, target)
    return target.stat().st_size


def _check_root(paths: Paths, root: Path) -> None:
    """Refuse a backup folder inside a folder others read: in the landing zone its backup.json
    would be landed as events (and the key lie among the data files), in the exports or serving
    folder the HMAC key would be handed to whoever reads them."""
    where = root.expanduser().resolve()
    for name, shared in (
        ("landing zone", paths.landing),
        ("exports folder", paths.exports),
        ("serving folder", paths.serving.parent),
    ):
        if where.is_relative_to(shared.resolve()):
            raise BackupError(
                f"{root} is inside the {name} ({shared}): a backup holds the warehouse and the"
                " key of its SSN hashes; keep it somewhere only the operator reads"
                " (default $LEADWH_HOME/backups)"
            )


def backup(paths: Paths, root: Path) -> BackupResult:
    """Copy the warehouse (see the module's doc) into a new folder under ``root``."""
    started = time.perf_counter()
    _check_root(paths, root)
    stamp = datetime.now(tz=UTC).strftime("%Y%m%dT%H%M%SZ")
    folder = root / stamp
    files: dict[str, int] = {}
    con = _open_for_backup(paths.warehouse)
    try:
        original = _table_rows(con)
        folder.mkdir(parents=True, exist_ok=False)
        files[paths.warehouse.name] = _copy(paths.warehouse, folder / paths.warehouse.name)
        wal = wal_path(paths.warehouse)
        if wal.exists():  # a crash left changes not yet checkpointed: they belong to the copy
            files[wal.name] = _copy(wal, folder / wal.name)
        source = lake.root_for(paths.warehouse)
        in_lake, size = _copy_lake(con, source, folder / source.name)
        if in_lake:
            files[source.name + "/"] = size
    finally:
        con.close()
    key = key_path(paths.home)
    if key.exists():
        (folder / "secrets").mkdir(mode=0o700)
        files["secrets/hmac.key"] = _copy(key, folder / "secrets" / "hmac.key")
        os.chmod(folder / "secrets" / "hmac.key", 0o600)
    with duckdb.connect(str(folder / paths.warehouse.name), read_only=True) as copy:
        copied = _table_rows(copy)
    files_rows = {name: rows for name, rows in copied.items() if name.startswith("lake.")}
    if in_lake != files_rows:
        raise BackupError(f"the lake's files copied to {folder} hold {in_lake}, not {files_rows}")
    if copied != original:
        differ = sorted(set(copied.items()) ^ set(original.items()))
        raise BackupError(f"the copy in {folder} differs from the warehouse: {differ[:5]}")
    result = BackupResult(str(folder), files, copied, round(time.perf_counter() - started, 2))
    (folder / "backup.json").write_text(json.dumps(asdict(result), indent=1) + "\n")
    return result
