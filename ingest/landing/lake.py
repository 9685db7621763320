"""Raw tables kept as Parquet day files (the lake), catalogued in the warehouse: the write
protocol of docs/spark-plan.md ("The write protocol ..."), step 1. Nothing lands through it yet;
the raw tables move onto it one by one (step 2 on).

A lake table is a folder per day, ``<root>/raw/<table>/<day column>=<YYYY-MM-DD>/``, of files
``part-<batch>-<n>.parquet`` (the day column is in the folder's name, as Spark and Hive keep it).
``raw.lake_files`` in the warehouse names the files that make up each table, and ``raw.<table>``
is a view over exactly those files, so DuckDB and dbt read it as a table, and Spark reads the
folders themselves (it skips names starting with ``_``).

A change (new files, files replaced by rewrites) takes three steps, each safe to kill:

1. :func:`write`: the new files, under names nothing reads (``_tmp-<batch>-<n>.parquet``),
   synced to disk.
2. :func:`commit`, in the caller's transaction (with the quarantine and the manifest): catalog
   rows ``written`` for the new files, ``dropped`` for the replaced ones. The view still reads
   the old files, which all still exist.
3. :func:`settle`, after the commit: rename the new files to their ``part-`` names, switch the
   views to the live set (one transaction), delete the dropped files and forget them.

:func:`settle` is also the start-up repair, run under the warehouse's write lock before anything
reads the lake: it finishes what a killed step 3 left, and with ``sweep`` removes what no commit
names (``_tmp-`` files of a change killed before its commit, ``part-`` files a settled change
dropped). Killed anywhere, a table reads as before the change or as after it, never half.
Readers of the warehouse cannot see the window between 2 and 3: DuckDB lets no other process
open the file while the writer holds it.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from ingest.pause_points import pause_point
from ingest.warehouse import rollback, sql_literal

CATALOG_DDL = """
create schema if not exists raw;
create table if not exists raw.lake_files (
    table_name  varchar not null,
    day         date not null,
    path        varchar not null,   -- relative to the lake root, the file's name once live
    rows        bigint not null,
    batch_id    varchar not null,
    state       varchar not null,   -- written (committed, not renamed yet) | live | dropped
    changed_at  timestamp not null
);
"""

TEMPORARY_PREFIX = "_tmp-"
LIVE_PREFIX = "part-"
NOW = "(now() at time zone 'UTC')"


class LakeDamaged(RuntimeError):
    """A committed file is missing under both of its names: the lake was changed by hand."""


@dataclass(frozen=True)
class LakeTable:
    """A raw table kept in the lake: its columns (name, DuckDB type) in the table's order, the
    day column among them."""

    name: str
    columns: tuple[tuple[str, str], ...]
    day_column: str

    def folder(self, root: Path) -> Path:
        return root / "raw" / self.name

    def day_folder(self, root: Path, day: date) -> Path:
        return self.folder(root) / f"{self.day_column}={day.isoformat()}"

    @property
    def names(self) -> str:
        """The columns, in the table's order (SQL)."""
        return ", ".join(f'"{name}"' for name, _ in self.columns)

    @property
    def file_columns(self) -> str:
        """The columns a file holds (all but the day column, which its folder names)."""
        return ", ".join(f'"{name}"' for name, _ in self.columns if name != self.day_column)


@dataclass(frozen=True)
class NewFile:
    """A file :func:`write` made, not yet committed."""

    table: str
    day: date
    path: str  # relative to the lake root, its live name
    rows: int


def temporary_name(live: Path) -> Path:
    return live.with_name(TEMPORARY_PREFIX + live.name.removeprefix(LIVE_PREFIX))


def ensure_catalog(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(CATALOG_DDL)


def _sync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write(
    con: duckdb.DuckDBPyConnection,
    root: Path,
    table: LakeTable,
    relation: str,
    batch_id: str,
    params: list | None = None,
) -> list[NewFile]:
    """Step 1: write the rows of `relation` (a query or a registered name, with `table`'s
    columns) as one temporary file per day, synced with their folders. Nothing reads them until
    :func:`commit` and :func:`settle`; a kill leaves files the next sweep removes. A batch may
    write many times: each file's name is the batch's and its own (``part-<batch>-<n>``)."""
    days = [
        row[0]
        for row in con.execute(
            f'select distinct "{table.day_column}" from ({relation}) order by 1', params or []
        ).fetchall()
    ]
    written = []
    for day in days:
        if day is None:
            raise ValueError(f"{table.name}: a row has no {table.day_column}")
        folder = table.day_folder(root, day)
        folder.mkdir(parents=True, exist_ok=True)
        live = folder / f"{LIVE_PREFIX}{batch_id}-{uuid.uuid4().hex[:12]}.parquet"
        temporary = temporary_name(live)
        rows = con.execute(
            f"copy (select {table.file_columns} from ({relation})"
            f' where "{table.day_column}" = ?) to {sql_literal(str(temporary))}'
            " (format parquet, compression zstd)",
            [*(params or []), day],
        ).fetchone()[0]
        _sync(temporary)
        _sync(folder)
        written.append(NewFile(table.name, day, live.relative_to(root).as_posix(), rows))
    pause_point("lake-written")
    return written


def commit(
    con: duckdb.DuckDBPyConnection,
    added: Iterable[NewFile],
    dropped: Iterable[str] = (),
    batch_id: str = "",
) -> None:
    """Step 2, in the caller's open transaction: the catalog takes the new files (``written``)
    and lets the replaced ones go (``dropped``, paths relative to the root). What the tables
    read changes in :func:`settle`."""
    ensure_catalog(con)
    rows = [(f.table, f.day, f.path, f.rows, batch_id) for f in added]
    if rows:
        con.executemany(
            f"insert into raw.lake_files values (?, ?, ?, ?, ?, 'written', {NOW})", rows
        )
    for path in dropped:
        changed = con.execute(
            f"update raw.lake_files set state = 'dropped', changed_at = {NOW}"
            " where path = ? and state = 'live' returning path",
            [path],
        ).fetchall()
        if not changed:
            raise ValueError(f"the lake has no live file {path} to drop")
    pause_point("lake-committing")


@dataclass
class Settled:
    """What :func:`settle` did."""

    renamed: int = 0
    deleted: int = 0
    swept: list[str] | None = None  # files no commit names, removed (with ``sweep``)


def settle(
    con: duckdb.DuckDBPyConnection, root: Path, tables: Iterable[LakeTable], sweep: bool = False
) -> Settled:
    """Step 3, and the start-up repair: make the committed changes live. Not in a transaction
    of the caller's; safe to run again after a kill at any point, and when nothing is pending.
    The views are re-created over the live files each time (so a moved lake is followed)."""
    ensure_catalog(con)
    tables = list(tables)
    done = Settled()
    written = _paths(con, "written")
    changing = bool(written or _paths(con, "dropped"))  # else only the views are made again
    if changing:
        pause_point("lake-committed")
    renamed_in = set()
    for (path,) in written:
        live = root / path
        temporary = temporary_name(live)
        if temporary.exists():
            os.replace(temporary, live)
            done.renamed += 1
            renamed_in.add(live.parent)
            pause_point("lake-renaming")
        elif not live.exists():
            raise LakeDamaged(f"the lake's file {path} is committed but missing (under both names)")
    for folder in renamed_in:
        _sync(folder)
    for (path,) in _paths(con, "live"):
        if not (root / path).exists():
            raise LakeDamaged(
                f"the lake's file {path} is missing from {root}: was the warehouse file copied"
                f" or restored without its lake ({root.name}, beside it)?"
            )
    if changing:
        pause_point("lake-renamed")
    con.execute("begin transaction")
    try:
        con.execute(
            f"update raw.lake_files set state = 'live', changed_at = {NOW} where state = 'written'"
        )
        for table in tables:
            create_view(con, root, table)
        con.execute("commit")
    except BaseException:
        rollback(con)
        raise
    if changing:
        pause_point("lake-switched")
    for (path,) in _paths(con, "dropped"):
        (root / path).unlink(missing_ok=True)
        done.deleted += 1
        try:
            (root / path).parent.rmdir()  # a day left with no file (a purge): its folder too
        except OSError:
            pass
    con.execute("delete from raw.lake_files where state = 'dropped'")
    if sweep:
        done.swept = _sweep(con, root, tables)
    return done


def _paths(con: duckdb.DuckDBPyConnection, state: str) -> list[tuple[str]]:
    return con.execute("select path from raw.lake_files where state = ?", [state]).fetchall()


def _sweep(con: duckdb.DuckDBPyConnection, root: Path, tables: list[LakeTable]) -> list[str]:
    """Remove the files of the tables' folders that the catalog does not name (every change is
    settled when this runs: each named file is live)."""
    named = {path for (path,) in con.execute("select path from raw.lake_files").fetchall()}
    swept = []
    for table in tables:
        folder = table.folder(root)
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob(f"{table.day_column}=*/*.parquet")):
            relative = path.relative_to(root).as_posix()
            ours = path.name.startswith((TEMPORARY_PREFIX, LIVE_PREFIX))
            if ours and relative not in named:
                path.unlink()
                swept.append(relative)
    return swept


def live_files(
    con: duckdb.DuckDBPyConnection,
    table: str,
    day: date | None = None,
    before: date | None = None,
) -> list[str]:
    """The live files of a table (of one `day`, or of the days `before` one), relative to the
    lake root, in day and name order."""
    where, params = "", [table]
    if day is not None:
        where, params = " and day = ?", [table, day]
    elif before is not None:
        where, params = " and day < ?", [table, before]
    return [
        path
        for (path,) in con.execute(
            "select path from raw.lake_files where table_name = ? and state = 'live'"
            f"{where} order by day, path",
            params,
        ).fetchall()
    ]


def create_view(con: duckdb.DuckDBPyConnection, root: Path, table: LakeTable) -> None:
    """``raw.<table>`` as a view over the table's live files, its columns in the table's order
    and types (with no file, a view of no rows with those columns)."""
    files = live_files(con, table.name)
    columns = ", ".join(f'cast("{name}" as {kind}) as "{name}"' for name, kind in table.columns)
    if files:
        sql = f"select {columns} from {_source(root, table, files)}"
    else:
        nulls = ", ".join(f'cast(null as {kind}) as "{name}"' for name, kind in table.columns)
        sql = f"select {nulls} where false"
    con.execute(f'create or replace view raw."{table.name}" as {sql}')


def root_for(database: Path) -> Path:
    """The lake of a warehouse file: beside it, named as it with ``.lake`` (the warehouse's
    ``$LEADWH_HOME/warehouse.duckdb`` has ``$LEADWH_HOME/warehouse.lake``), as its write-ahead
    log is; so two warehouses in one folder never share one."""
    return database.resolve().with_suffix(".lake")


def root_of(con: duckdb.DuckDBPyConnection) -> Path:
    """The lake of the warehouse `con` has open (:func:`root_for`)."""
    path = con.execute(
        "select path from duckdb_databases() where database_name = current_database()"
    ).fetchone()[0]
    if not path:
        raise ValueError("a database in memory has no lake: open the warehouse's file")
    return root_for(Path(path))


def _source(root: Path, table: LakeTable, files: list[str], row_numbers: bool = False) -> str:
    listed = ", ".join(sql_literal(str(root / path)) for path in files)
    extra = ", filename = true, file_row_number = true" if row_numbers else ""
    return (
        f"read_parquet([{listed}], hive_partitioning = true, union_by_name = true,"
        f" hive_types = {{'{table.day_column}': 'date'}}{extra})"
    )


def keyed(con: duckdb.DuckDBPyConnection, root: Path, table: LakeTable) -> str:
    """SQL: the table's live rows with the file each is in (``filename``, as
    :func:`rewrite`'s edits name it) and its place there (``file_row_number``)."""
    files = live_files(con, table.name)
    if not files:
        nulls = ", ".join(f'cast(null as {kind}) as "{name}"' for name, kind in table.columns)
        return f"(select {nulls}, '' as filename, 0::bigint as file_row_number where false)"
    return _source(root, table, files, row_numbers=True)


def rewrite(
    con: duckdb.DuckDBPyConnection,
    root: Path,
    table: LakeTable,
    edits: str,
    columns: Iterable[str],
    batch_id: str,
) -> tuple[list[NewFile], list[str]]:
    """Step 1 of a change to stored rows: each live file that relation `edits` names (columns
    ``filename``, ``file_row_number`` as :func:`keyed` gives them, ``remove`` and the new values
    of `columns`) is written again, its edited rows with the edits' values (or left out where
    ``remove``), the others as they were. Returns the new files and the replaced ones, for
    :func:`commit` (``added``, ``dropped``)."""
    columns = set(columns)
    names = {str(root / path): path for path in live_files(con, table.name)}
    added, dropped = [], []
    for (filename,) in con.execute(
        f"select distinct filename from ({edits}) order by 1"
    ).fetchall():
        if filename not in names:
            raise ValueError(f"{table.name}: an edit names {filename}, not a live file")
        values = ", ".join(
            f'case when e.file_row_number is null then t."{name}" else e."{name}" end as "{name}"'
            if name in columns
            else f't."{name}"'
            for name, _ in table.columns
        )
        relation = (
            f"select {values} from {_source(root, table, [names[filename]], row_numbers=True)}"
            f" as t left join ({edits}) as e"
            " on e.filename = t.filename and e.file_row_number = t.file_row_number"
            " where not coalesce(e.remove, false) order by t.file_row_number"
        )
        added += write(con, root, table, relation, batch_id)
        dropped.append(names[filename])
    return added, dropped


#: A day of a table with more live files than this is rewritten as one file (each landing run
#: adds a file to every day it touches: a sensor landing every minute would otherwise leave
#: thousands a day, and every reader lists and opens each one).
COMPACT_FILES = 16


def compact(
    con: duckdb.DuckDBPyConnection,
    root: Path,
    table: LakeTable,
    days: Iterable[date],
    batch_id: str,
) -> list[date]:
    """Rewrite each of `days` that has more than COMPACT_FILES live files as one file: the three
    steps of a change (written, committed in a transaction of its own, settled), so a kill
    leaves the day as before or as after. Returns the days rewritten."""
    crowded = [
        day
        for (day,) in con.execute(
            "select day from raw.lake_files where table_name = ? and state = 'live'"
            " and day in (select unnest(?)) group by day having count(*) > ? order by day",
            [table.name, sorted(set(days)), COMPACT_FILES],
        ).fetchall()
    ]
    for day in crowded:
        files = live_files(con, table.name, day=day)
        added = write(con, root, table, f"select * from {_source(root, table, files)}", batch_id)
        apply(con, root, [table], added, files, batch_id)
    return crowded


def apply(
    con: duckdb.DuckDBPyConnection,
    root: Path,
    tables: Iterable[LakeTable],
    added: Iterable[NewFile],
    dropped: Iterable[str] = (),
    batch_id: str = "",
    also: str = "",
) -> None:
    """Steps 2 and 3 of a change that has nothing else to commit (but the SQL `also`, run in
    its transaction): commit it in a transaction of its own, then settle."""
    con.execute("begin transaction")
    try:
        commit(con, added, dropped, batch_id)
        if also:
            con.execute(also)
        con.execute("commit")
    except BaseException:
        rollback(con)
        raise
    settle(con, root, tables)
