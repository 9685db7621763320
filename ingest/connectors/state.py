"""The connectors' own state: a small SQLite file per connector under ``$LEADWH_HOME/connectors``.

Not the warehouse file: a sync or a pull must run while a build holds the warehouse (DuckDB allows
one writer), and the landing sensor must never wait on a connector. Each connector's state says
what is already in the landing zone, so it lives beside it and survives a rebuilt warehouse.
"""

from __future__ import annotations

import fcntl
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class Busy(RuntimeError):
    """Another process runs the same connector now."""


def state_dir(home: Path) -> Path:
    return home / "connectors"


def connect_state(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(str(path), timeout=60, isolation_level=None)
    con.execute("pragma journal_mode=wal")
    con.execute("pragma synchronous=normal")
    return con


@contextmanager
def exclusive(path: Path, what: str) -> Iterator[None]:
    """One process at a time per state file (a sensor's run and a CLI call, say): the second one
    stops with :class:`Busy` instead of doing the same work twice."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = path.with_name(path.name + ".lock")
    with open(lock_path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise Busy(
                f"another {what} is running now (lock {lock_path}); try again later"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def write_atomically(path: Path, data: bytes) -> None:
    """Write a landing file under a hidden temporary name, then rename it: the landing zone never
    shows a half-written file (discovery skips names starting with a dot)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(data)
    temporary.replace(path)
