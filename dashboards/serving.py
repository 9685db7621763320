"""Read-only access to the serving file (never the warehouse file) for the dashboards.

Every connection is a sandbox connection (``ingest.serving.sandbox``, the module beside the one
that publishes the serving file): the SQL page runs what people type on the same settings as the
pages' own queries, because DuckDB refuses a second connection to a file already open in the
process with other settings.
"""

from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from pathlib import Path

import duckdb

from ingest.paths import get_paths
from ingest.serving import sandbox

_versions: dict[tuple, str | None] = {}
_versions_lock = threading.Lock()


def serving_path() -> Path:
    return get_paths().serving


def open_read_only(path: Path) -> duckdb.DuckDBPyConnection:
    """Read-only, no files, URLs or extensions beyond the serving file itself, a memory and
    thread cap, and no SET to change that (the same settings for every dashboard connection)."""
    return sandbox.connect(path)


@contextmanager
def connect(path: Path | None = None):
    """A read-only connection per use: the pipeline's swap of the file is never blocked."""
    path = path or serving_path()
    con = open_read_only(path)
    try:
        yield con
    finally:
        con.close()


def _stamp(path: Path) -> tuple | None:
    """What changes when a publish swaps the file in (a new inode, a new mtime)."""
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return None
    return (str(path), stat.st_ino, stat.st_mtime_ns, stat.st_size)


def version(path: Path | None = None) -> str | None:
    """The serving file's version stamp (None when nothing is published yet).

    Read from ``meta.publish_info`` once per published file: the file's identity (inode, mtime,
    size) is checked on every call, so a new publish is seen at once without opening the file on
    every query.
    """
    path = path or serving_path()
    stamp = _stamp(path)
    if stamp is None:
        return None
    with _versions_lock:
        if stamp in _versions:
            return _versions[stamp]
    try:
        with connect(path) as con:
            row = con.execute("select version from meta.publish_info").fetchone()
    except duckdb.CatalogException:
        row = None  # a serving file without its publish stamp: treat as not published
    found = row[0] if row else None
    with _versions_lock:
        if len(_versions) > 64:
            _versions.clear()
        _versions[stamp] = found
    return found
