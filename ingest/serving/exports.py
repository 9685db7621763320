"""Analytic exports: a mart or a SQL query on the serving file, filtered, written as CSV or Parquet.

``run_export(spec, serving, home, as_of)`` is the whole step for one export (an
:class:`~ingest.ops.config.ExportSpec` from ``config/exports.yaml``). It reads only the serving
file, never the warehouse, so exports never wait on or block the pipeline.

The rows are read in the SQL sandbox (``ingest.serving.sandbox``): a ``query:`` is one read
statement, on a read-only connection that cannot reach files, URLs or settings, within the
export's time and row limits (``timeout``, ``max_rows``; an export over its row limit fails rather
than writing part of the rows). The file is then written by a separate in-memory DuckDB that only
ever runs this module's own SQL over those rows. The destination folder must lie inside the
warehouse's exports folder (no absolute paths, ``..`` or symlinks out of it). CSV values that a
spreadsheet would run as a formula are escaped (``ingest.serving.spreadsheet``).

Files have stable names (``<destination>/<name>.<format>``) and are written atomically: the rows
go to a temporary file in the same folder that is renamed over the previous export, so a reader
sees the old file or the new one, never half of one. A sidecar ``<name>.<format>.meta.json``
records the row count, the time window, the filters and the export time; Parquet files carry the
same in their key-value metadata.
"""

from __future__ import annotations

import glob
import json
import os
import time
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from ingest.ops.config import ExportSpec
from ingest.paths import Paths
from ingest.serving import sandbox
from ingest.serving.spreadsheet import safe_arrow

EXPORT_TABLE = "_export_rows"
#: What an export may fetch, in bytes (exports hold far more rows than an interactive query).
EXPORT_MAX_BYTES = 4 * 2**30


class UnsafeDestination(ValueError):
    """An export's destination lies outside the exports folder."""


@dataclass(frozen=True)
class ExportResult:
    name: str
    path: Path
    sidecar: Path
    format: str
    rows: int
    columns: list[str]
    window_start: datetime | None
    window_end: datetime | None
    exported_at: datetime
    size_bytes: int
    filters: str

    def metadata(self) -> dict:
        """JSON-ready description (the sidecar's content)."""
        data = asdict(self)
        for key in ("path", "sidecar"):
            data[key] = str(data[key])
        for key in ("window_start", "window_end", "exported_at"):
            data[key] = data[key].isoformat() if data[key] else None
        return data


def utc_now() -> datetime:
    return datetime.now(tz=UTC).replace(tzinfo=None)


def _naive_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def source_relation(spec: ExportSpec) -> str:
    if spec.mart:
        return f'marts."{spec.mart}"'
    # one read statement, refused otherwise; line breaks keep a `--` comment inside
    return f"(\n{sandbox.read_only_statement(spec.query)}\n)"


def _as_datetime(value) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return _naive_utc(value)
    if isinstance(value, date):
        return datetime.combine(value, datetime.min.time())
    raise TypeError(f"time column holds {type(value).__name__}, not a date or timestamp")


def export_window(
    spec: ExportSpec, con: duckdb.DuckDBPyConnection, as_of: datetime
) -> tuple[datetime | None, datetime | None]:
    """(start, end] of the export's time filter; (None, None) without `last`.

    `relative_to: now` ends the window at ``as_of``; `latest` at the newest value of the time
    column (a date counts as its midnight, so `last: 7d` on a date column is 7 whole days)."""
    if spec.last is None:
        return None, None
    if spec.relative_to == "latest":
        newest = sandbox.run(
            con,
            f'select max("{spec.time_column}") from {source_relation(spec)} as src',
            _limits(spec),
            fetch="rows",
        ).data[0][0]
        end = _as_datetime(newest)
        if end is None:
            return None, None
    else:
        end = _naive_utc(as_of)
    return end - spec.last, end


def build_query(
    spec: ExportSpec, window: tuple[datetime | None, datetime | None]
) -> tuple[str, list]:
    """The SELECT of one export (with ? placeholders) and its parameters."""
    columns = "*" if spec.columns is None else ", ".join(f'"{c}"' for c in spec.columns)
    conditions: list[str] = []
    params: list = []
    start, end = window
    if spec.last is not None and end is not None:
        conditions.append(f'"{spec.time_column}" > ? and "{spec.time_column}" <= ?')
        params += [start, end]
    elif spec.last is not None:
        conditions.append("false")  # no rows to anchor a `latest` window: nothing to export
    for column, values in spec.where:
        marks = ", ".join("?" for _ in values)
        conditions.append(f'"{column}" in ({marks})')
        params += list(values)
    sql = f"select {columns} from {source_relation(spec)} as src"
    if conditions:
        sql += " where " + " and ".join(conditions)
    if spec.time_column and spec.mart:
        sql += f' order by "{spec.time_column}"'
    return sql, params


def _available_marts(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "select table_name from duckdb_tables()"
        " where database_name = current_database() and schema_name = 'marts' order by 1"
    ).fetchall()
    return [r[0] for r in rows]


def _limits(spec: ExportSpec) -> sandbox.Limits:
    return sandbox.Limits(timeout=spec.timeout, max_rows=spec.max_rows, max_bytes=EXPORT_MAX_BYTES)


def export_folder(spec: ExportSpec, home: Path) -> Path:
    """The export's folder, checked to lie inside ``<home>/exports`` once every symlink is
    followed (the exports folder itself may be a link, e.g. to a shared drive)."""
    root = Paths(home).exports
    folder = spec.folder(home)
    try:
        folder.resolve().relative_to(root.resolve())
    except ValueError:
        raise UnsafeDestination(
            f"export {spec.name!r}: destination {spec.destination!r} is {folder.resolve()},"
            f" outside the exports folder {root}. Write a folder under exports/, e.g."
            f" exports/{spec.name}."
        ) from None
    return folder


def run_export(
    spec: ExportSpec, serving: Path, home: Path, as_of: datetime | None = None
) -> ExportResult:
    """Write one export from the serving file; see the module docstring."""
    if not serving.exists():
        raise FileNotFoundError(
            f"no serving file at {serving}: build the warehouse first (`leadwh build`)"
        )
    exported_at = utc_now()
    as_of = _naive_utc(as_of) if as_of else exported_at
    folder = export_folder(spec, home)
    target = folder / spec.file_name
    sidecar = folder / f"{spec.file_name}.meta.json"

    with sandbox.connection(serving) as con:
        if spec.mart and spec.mart not in _available_marts(con):
            raise ValueError(
                f"export {spec.name!r}: no table marts.{spec.mart} in the serving file; "
                f"available: {', '.join(_available_marts(con))}"
            )
        try:
            window = export_window(spec, con, as_of)
            sql, params = build_query(spec, window)
            fetched = sandbox.run(con, sql, _limits(spec), params=params, fetch="arrow")
        except (sandbox.SqlRefused, sandbox.SqlTimeout, duckdb.Error) as exc:
            raise ValueError(f"export {spec.name!r}: the query failed: {exc}") from exc
    if fetched.truncated:
        raise ValueError(
            f"export {spec.name!r}: more than {spec.max_rows:,} rows; nothing was written. Raise"
            " its max_rows in the exports config or narrow its filters."
        )
    table = fetched.data
    rows, columns = table.num_rows, list(table.column_names)
    start, end = window
    info = {
        "export": spec.name,
        "rows": str(rows),
        "window_start": start.isoformat() if start else "",
        "window_end": end.isoformat() if end else "",
        "exported_at": exported_at.isoformat(),
        "filters": spec.describe_filters(),
    }
    folder.mkdir(parents=True, exist_ok=True)
    export_folder(spec, home)  # still inside once created
    remove_stale_temporaries(folder, spec.file_name)
    token = uuid.uuid4().hex[:8]
    tmp = folder / f".{spec.file_name}.{token}.tmp"
    tmp_meta = folder / f".{spec.file_name}.meta.json.{token}.tmp"
    write_file(table, tmp, spec.format, info)

    result = ExportResult(
        name=spec.name,
        path=target,
        sidecar=sidecar,
        format=spec.format,
        rows=rows,
        columns=columns,
        window_start=window[0],
        window_end=window[1],
        exported_at=exported_at,
        size_bytes=tmp.stat().st_size,
        filters=spec.describe_filters(),
    )
    tmp_meta.write_text(json.dumps(result.metadata(), indent=1) + "\n")
    os.replace(tmp, target)
    os.replace(tmp_meta, sidecar)
    return result


def remove_stale_temporaries(folder: Path, file_name: str, older_than: float = 3600.0) -> list[str]:
    """Remove the temporary files of this export (``.<file>.<token>.tmp`` and its sidecar's)
    that a killed run left, once they are ``older_than`` seconds old: a run still writing one
    touches it. Returns the names removed."""
    removed = []
    cutoff = time.time() - older_than
    for path in folder.glob(glob.escape(f".{file_name}.") + "*.tmp"):  # the sidecar's too
        try:
            if path.is_file() and not path.is_symlink() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed.append(path.name)
        except FileNotFoundError:  # another run removed it
            continue
    return removed


def write_file(table, path: Path, fmt: str, info: dict[str, str]) -> None:
    """Write the fetched rows to ``path``: Parquet with ``info`` as key-value metadata, or CSV
    with a header and spreadsheet formulas escaped. A private in-memory DuckDB runs only this
    function's SQL; no text from the export's query reaches it."""
    if fmt == "parquet":
        kv = ", ".join(f"{k}: '{_quote(v)}'" for k, v in info.items())
        options = f"format parquet, kv_metadata {{{kv}}}"
    else:
        table = safe_arrow(table)
        options = "format csv, header true"
    writer = duckdb.connect()
    try:
        writer.register(EXPORT_TABLE, table)
        writer.execute(f"copy {EXPORT_TABLE} to '{_quote(str(path))}' ({options})")
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    finally:
        writer.close()


def _quote(text: str) -> str:
    return text.replace("'", "''")
