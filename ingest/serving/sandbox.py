"""The SQL sandbox: the one way SQL that a person wrote reaches the serving file.

Three surfaces run such SQL: ``leadwh sql``, the ``query:`` of an export (config/exports.yaml) and
the dashboards' SQL page. All three go through this module, under the same rules:

- **One read statement.** :func:`read_only_statement` parses the text with DuckDB's own parser and
  accepts exactly one statement of type SELECT (select, with, from, values, describe, summarize,
  show, pivot): ATTACH, COPY, EXPORT, INSTALL/LOAD, SET/PRAGMA/RESET, CALL (checkpoint, pragma
  calls), CREATE/INSERT/UPDATE/DELETE/DROP, transactions and a second statement hidden behind a
  ``;`` are refused before anything runs. Comments and strings are the parser's business, not a
  regular expression's.
- **The serving file only, read-only, nothing else reachable.** :func:`connect` opens the serving
  file read-only with DuckDB's ``enable_external_access = false`` (no files, URLs, globs, ATTACH,
  COPY or extension loading: ``read_csv('/etc/passwd')`` fails), ``lock_configuration = true`` (no
  SET or PRAGMA can undo that), a memory cap (``memory_limit``), a thread cap and a cap on what
  spills to disk, all given at connect time in the config dict.
- **Bounded.** :func:`run` runs the statement on a worker thread and interrupts it after
  ``Limits.timeout`` seconds (and on Ctrl-C); it fetches at most ``Limits.max_rows`` rows (the
  statement is wrapped in ``select * from (...) limit``) and at most ``Limits.max_bytes`` of them.

Every connection a process opens to one file must use the same settings (DuckDB refuses a second
connection to a file already open in the process with other settings), so the dashboards open
every connection through :func:`connect` too.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import pandas as pd

#: DuckDB's memory cap for a sandbox connection (its buffer pool: joins, sorts, aggregates).
DEFAULT_MEMORY_LIMIT = "2GB"
#: Threads one sandbox query may use.
DEFAULT_THREADS = 2
#: What a query may spill to disk (next to the serving file) when it outgrows memory.
DEFAULT_TEMP_LIMIT = "4GB"
#: Time and row limits of `leadwh sql` (flags --timeout, --max-rows change them).
DEFAULT_TIMEOUT = 60.0
DEFAULT_MAX_ROWS = 10_000
#: The most a result may hold once fetched, in bytes (bounds a few enormous values too).
DEFAULT_MAX_BYTES = 512 * 2**20
#: The longest SQL text accepted, in characters.
MAX_SQL_CHARS = 100_000

FETCH_ROWS = 2048  # rows per fetched chunk

T = TypeVar("T")


class SqlRefused(ValueError):
    """The text is not one read-only statement (or its result is too big to fetch)."""


class SqlTimeout(TimeoutError):
    """The query ran past its time limit and was interrupted. ``still_running``: DuckDB had not
    stopped it within INTERRUPT_GRACE seconds (it checks for an interrupt between vectors, not
    inside one call of a function such as ``range(400000000)``): it goes on, on its connection,
    until it ends; a command should exit rather than wait for it."""

    def __init__(self, message: str, still_running: bool = False) -> None:
        super().__init__(message)
        self.still_running = still_running


#: How long an interrupted query has to stop before its caller is given back control.
INTERRUPT_GRACE = 2.0


@dataclass(frozen=True)
class Limits:
    timeout: float = DEFAULT_TIMEOUT  # seconds
    max_rows: int = DEFAULT_MAX_ROWS
    max_bytes: int = DEFAULT_MAX_BYTES


def config(
    memory_limit: str = DEFAULT_MEMORY_LIMIT,
    threads: int = DEFAULT_THREADS,
    temp_limit: str = DEFAULT_TEMP_LIMIT,
) -> dict[str, Any]:
    """DuckDB settings of a sandbox connection (given at connect time, then locked)."""
    return {
        "enable_external_access": False,
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
        "allow_community_extensions": False,
        "memory_limit": memory_limit,
        "threads": threads,
        "max_temp_directory_size": temp_limit,
        "lock_configuration": True,
    }


def connect(path: Path, **settings: Any) -> duckdb.DuckDBPyConnection:
    """A read-only, locked-down connection to the serving file (``settings``: see :func:`config`).

    Raises FileNotFoundError (with what to do) when there is no such file: DuckDB would otherwise
    create an empty database in read-only mode's place."""
    if not Path(path).is_file():
        raise FileNotFoundError(
            f"no serving file at {path}: build the warehouse first (`leadwh build` or `make build`)"
        )
    return duckdb.connect(str(path), read_only=True, config=config(**settings))


@contextmanager
def connection(path: Path, **settings: Any):
    """:func:`connect` for the length of a block. A connection whose query is still running
    (SqlTimeout.still_running) is left to close when the query ends: closing it would wait."""
    con = connect(path, **settings)
    try:
        yield con
    except SqlTimeout as slow:
        if slow.still_running:
            con = None
        raise
    finally:
        if con is not None:
            con.close()


def read_only_statement(sql: str) -> str:
    """The single read statement in ``sql`` (without its semicolon), or SqlRefused saying why."""
    text = sql or ""
    if len(text) > MAX_SQL_CHARS:
        raise SqlRefused(
            f"The SQL is {len(text):,} characters long; at most {MAX_SQL_CHARS:,} are accepted."
        )
    try:
        statements = duckdb.extract_statements(text)
    except duckdb.Error as error:
        raise SqlRefused(f"The SQL does not parse: {error}") from None
    if not statements:
        raise SqlRefused("Type a query first, e.g. `select * from marts.fct_leads limit 10`.")
    if len(statements) > 1:
        raise SqlRefused(
            f"Only one statement at a time: found {len(statements)}. Remove the extra ones."
        )
    statement = statements[0]
    if statement.type != duckdb.StatementType.SELECT:
        kind = statement.type.name.lower().replace("_", " ")
        article = "an" if kind[0] in "aeiou" else "a"
        raise SqlRefused(
            f"Only read queries are allowed here (select, with, from, describe, summarize,"
            f" show): this is {article} {kind} statement. The serving file is read-only."
        )
    return statement.query.strip().rstrip(";").strip()


def limited(statement: str, max_rows: int) -> str:
    """``statement`` wrapped to return at most ``max_rows`` + 1 rows (one more tells there were
    more). The line breaks keep a trailing ``--`` comment from swallowing the closing bracket."""
    return f"select * from (\n{statement}\n) as query_result limit {int(max_rows) + 1}"


# --------------------------------------------------------------------------- fetching


def _too_big(max_bytes: int) -> SqlRefused:
    return SqlRefused(
        f"The result is larger than {max_bytes / 2**20:,.0f} MB. Select fewer or shorter columns,"
        " or fewer rows."
    )


def fetch_frame(con: duckdb.DuckDBPyConnection, max_bytes: int) -> pd.DataFrame:
    """The executed query's rows as a DataFrame, chunk by chunk, up to ``max_bytes``."""
    chunks, size = [], 0
    while True:
        chunk = con.fetch_df_chunk(1)
        if chunk.empty:
            break
        size += int(chunk.memory_usage(deep=True).sum())
        if size > max_bytes:
            raise _too_big(max_bytes)
        chunks.append(chunk)
    if not chunks:
        return chunk
    return pd.concat(chunks, ignore_index=True) if len(chunks) > 1 else chunks[0]


def fetch_rows(con: duckdb.DuckDBPyConnection, max_bytes: int) -> list[tuple]:
    """The executed query's rows as tuples, up to about ``max_bytes``."""
    rows: list[tuple] = []
    size = 0
    while True:
        chunk = con.fetchmany(FETCH_ROWS)
        if not chunk:
            return rows
        size += sum(sys.getsizeof(v) for row in chunk for v in row)
        if size > max_bytes:
            raise _too_big(max_bytes)
        rows.extend(chunk)


def fetch_arrow(result: duckdb.DuckDBPyRelation, max_bytes: int):
    """A query's rows as a pyarrow Table, batch by batch, up to ``max_bytes``."""
    import pyarrow as pa

    reader = result.to_arrow_reader(FETCH_ROWS)
    batches, size = [], 0
    for batch in reader:
        size += batch.nbytes
        if size > max_bytes:
            raise _too_big(max_bytes)
        batches.append(batch)
    return pa.Table.from_batches(batches, schema=reader.schema)


# --------------------------------------------------------------------------- running


def guarded(con: duckdb.DuckDBPyConnection, work: Callable[[], T], timeout: float) -> T:
    """``work()`` (queries on ``con``) on a worker thread; interrupted after ``timeout`` seconds
    (SqlTimeout) or when the caller is interrupted (Ctrl-C). Errors reach the caller."""
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = work()
        except BaseException as error:  # handed to the caller's thread
            outcome["error"] = error

    worker = threading.Thread(target=target, name="leadwh-sql", daemon=True)
    worker.start()
    try:
        worker.join(timeout)
    except BaseException:  # KeyboardInterrupt: stop the query before giving up
        con.interrupt()
        worker.join(INTERRUPT_GRACE)
        raise
    if worker.is_alive():
        con.interrupt()
        worker.join(INTERRUPT_GRACE)
        raise SqlTimeout(
            f"The query ran longer than {timeout:g} s and was stopped. Narrow it (a where clause"
            " on a date column, fewer columns) or raise the time limit.",
            still_running=worker.is_alive(),
        )
    if "error" in outcome:
        error = outcome["error"]
        if isinstance(error, duckdb.InterruptException):
            raise SqlTimeout(f"The query was stopped after {timeout:g} s.") from None
        raise error
    return outcome["value"]


@dataclass(frozen=True)
class SqlResult:
    data: Any  # a DataFrame, a list of tuples or a pyarrow Table (the `fetch` asked for)
    columns: list[str]
    truncated: bool  # more rows than the limit: only the first max_rows are in data
    seconds: float
    statement: str

    @property
    def frame(self) -> pd.DataFrame:
        return self.data


FETCHERS = {"frame": fetch_frame, "rows": fetch_rows, "arrow": fetch_arrow}  # by `fetch`


def run(
    con: duckdb.DuckDBPyConnection,
    sql: str,
    limits: Limits = Limits(),
    *,
    params: list | dict | None = None,
    fetch: str = "frame",
) -> SqlResult:
    """Run the one read statement in ``sql`` on a sandbox connection, within ``limits``.

    Refused text raises SqlRefused; a query past its time limit SqlTimeout; DuckDB's own errors
    (unknown table, a file it may not read, out of memory) propagate as duckdb.Error.
    """
    statement = read_only_statement(sql)
    max_rows = max(1, int(limits.max_rows))
    fetcher = FETCHERS[fetch]

    def work():
        if fetch == "arrow":  # a relation streams Arrow batches without an extra copy
            result = con.sql(limited(statement, max_rows), params=params or None)
            return result.columns, fetch_arrow(result, limits.max_bytes)
        con.execute(limited(statement, max_rows), params or [])
        columns = [d[0] for d in con.description or []]
        return columns, fetcher(con, limits.max_bytes)

    started = time.perf_counter()
    columns, data = guarded(con, work, limits.timeout)
    seconds = time.perf_counter() - started
    truncated = len(data) > max_rows
    if truncated:
        if fetch == "arrow":
            data = data.slice(0, max_rows)
        elif fetch == "frame":
            data = data.head(max_rows)
        else:
            data = data[:max_rows]
    return SqlResult(data, columns, truncated, seconds, statement)


def run_sql(
    path: Path, sql: str, limits: Limits = Limits(), *, fetch: str = "frame", **settings: Any
) -> SqlResult:
    """:func:`run` on its own sandbox connection to the serving file at ``path``."""
    statement = read_only_statement(sql)  # refuse before opening anything
    with connection(path, **settings) as con:
        return run(con, statement, limits, fetch=fetch)
