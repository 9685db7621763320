"""Read-only access to the serving file (never the warehouse file)."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import duckdb

from ingest.paths import get_paths


def serving_path() -> Path:
    return get_paths().serving


@contextmanager
def connect(path: Path | None = None):
    """A read-only connection per use: the pipeline's swap of the file is never blocked."""
    path = path or serving_path()
    con = duckdb.connect(str(path), read_only=True)
    try:
        yield con
    finally:
        con.close()


def version(path: Path | None = None) -> str | None:
    """The serving file's version stamp (None when nothing is published yet)."""
    path = path or serving_path()
    if not path.exists():
        return None
    with connect(path) as con:
        return con.execute("select version from meta.publish_info").fetchone()[0]
