"""The warm run worker: one long-lived process that has loaded the code location once (Dagster,
dagster-dbt and dbt's manifest, Polars, pandera, DuckDB: 8-13 s on two cores) and forks a process
for each run the daemon launches (orchestration/warm_launcher.py), which starts executing at
once instead of loading it all again.

    python -m orchestration.warm_worker <socket fd>

One JSON line each way on the socket the launcher passed:
  worker -> launcher  {"ready": <code fingerprint>} once loaded, or {"error": <traceback>}
  launcher -> worker  {"execute_run": <serialized ExecuteRunArgs>}
  worker -> launcher  {"pid": <pid of the run's process>}

A run's process is what `dagster api execute_run` would be (the code server's launcher starts
that): it writes the run's events and exits; the kernel reaps it. The worker loads nothing after
it is ready, so a run sees the code as it was then: the launcher starts a new worker when the
code's fingerprint changes. The worker exits when the launcher's end of the socket closes (the
daemon stopped); runs it started go on to their end.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import sys
import traceback

from ingest.engines import dbt_manifest
from ingest.paths import PROJECT_ROOT, stamp_files

CODE_DIRS = ("orchestration", "ingest")
# dagster-dbt defines the dbt assets from this manifest (orchestration/defs/project.py).
MANIFEST = dbt_manifest()
CODE_LOCATION_MODULE = "orchestration.definitions"


def code_fingerprint() -> str:
    """What a loaded worker depends on: every Python file of the code location (path, size,
    modification time) and dbt's manifest."""
    digest = hashlib.sha256()
    files = [path for name in CODE_DIRS for path in sorted((PROJECT_ROOT / name).rglob("*.py"))]
    stamp_files(digest, [*files, MANIFEST])
    return digest.hexdigest()


def preload() -> None:
    """Import the code location and build its definitions, as a run's process would, and dbt's
    runner with the DuckDB adapter (orchestration/forked_dbt.py)."""
    import importlib

    import dbt.adapters.duckdb  # noqa: F401
    import dbt.cli.main  # noqa: F401
    from dagster._cli.api import execute_run_command  # noqa: F401  (the runs' entry point)

    importlib.import_module(CODE_LOCATION_MODULE).defs()


def execute_run(serialized_args: str) -> int:
    """In the forked process: `dagster api execute_run` with these arguments; its exit code.
    On DuckDB, dbt starts as a fork of this process (on Spark as a new Python, as before: its
    session starts a JVM)."""
    from dagster._cli.api import execute_run_command

    from ingest.engines import DUCKDB, current_engine
    from orchestration import forked_dbt

    if current_engine() == DUCKDB:
        forked_dbt.install()
    try:
        execute_run_command.callback(serialized_args, None)  # the click command's function
    except SystemExit as exit:
        return exit.code if isinstance(exit.code, int) else 1
    except BaseException:  # noqa: BLE001  (the run's failure is in its event log; say why here)
        traceback.print_exc()
        return 1
    return 0


def _send(conn: socket.socket, message: dict) -> None:
    conn.sendall(json.dumps(message).encode() + b"\n")


def _fork_run(conn: socket.socket, serialized_args: str) -> int:
    pid = os.fork()
    if pid:
        return pid
    code = 1
    try:
        conn.close()
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # the run waits for its own children (dbt)
        signal.signal(signal.SIGINT, signal.default_int_handler)  # terminate, Ctrl-C
        code = execute_run(serialized_args)
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def requests(conn: socket.socket):
    """The JSON lines the launcher sends, until it closes its end."""
    pending = b""
    while chunk := conn.recv(1 << 16):
        pending += chunk
        *lines, pending = pending.split(b"\n")
        yield from (json.loads(line) for line in lines if line)


def serve(conn: socket.socket) -> None:
    """Fork a run's process for each request until the launcher closes the socket."""
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # finished runs are reaped by the kernel
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C of `dagster dev` stops the runs, not us
    for request in requests(conn):
        _send(conn, {"pid": _fork_run(conn, request["execute_run"])})


def main(argv: list[str]) -> int:
    conn = socket.socket(fileno=int(argv[1]))
    fingerprint = code_fingerprint()  # before loading: a change meanwhile starts another worker
    try:
        preload()
    except BaseException:  # noqa: BLE001  (the launcher falls back to the code server and says why)
        _send(conn, {"error": traceback.format_exc()})
        return 1
    _send(conn, {"ready": fingerprint})
    serve(conn)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
