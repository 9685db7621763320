"""dbt forked from a warm run's process (orchestration/warm_worker.py) instead of a new Python.

dagster-dbt starts `dbt` as a subprocess and reads its JSON log lines from the pipe. A new Python
spends 4-9 s on two cores importing dbt, its adapter and Jinja before dbt reads its first file; the
warm worker has imported them once. `install()` makes dagster-dbt's invocation start a
`ForkedDbt` instead: a fork of the run's process that runs dbt's programmatic runner
(`dbtRunner`) with the arguments, environment and directory dagster-dbt gives, and writes dbt's
events to the pipe as the same JSON lines (dbt's own `--log-format json` form, at its stdout's
level: info and above). It is a process of its own, as dbt's was: it runs beside the run's
process on another core, can be interrupted, and closes its database when it exits.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import traceback
import types
from collections.abc import Mapping, Sequence
from pathlib import Path

import orjson

STDOUT_LEVELS = {"info", "warn", "error"}  # the levels dbt's stdout log shows by default


class ForkedDbt:
    """What dagster-dbt uses of `subprocess.Popen`, for dbt in a fork of this process."""

    def __init__(
        self, args: Sequence[str], env: Mapping[str, str], cwd: str | Path, **_ignored
    ) -> None:
        self.args = list(args)
        self.returncode: int | None = None
        read, write = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        self.pid = os.fork()
        if self.pid == 0:  # the child: dbt, then exit (without the parent's exit handlers)
            os.close(read)
            code = _run_dbt(self.args[1:], env, cwd, write)
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
        os.close(write)
        self.stdout = os.fdopen(read, "rb")

    def wait(self, timeout: float | None = None) -> int | None:
        if timeout is None and self.returncode is None:
            self.returncode = os.waitstatus_to_exitcode(os.waitpid(self.pid, 0)[1])
        deadline = time.monotonic() + (timeout or 0)
        while self.poll() is None:
            if time.monotonic() >= deadline:
                raise subprocess.TimeoutExpired(self.args, timeout)
            time.sleep(0.05)
        return self.returncode

    def poll(self) -> int | None:
        if self.returncode is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def send_signal(self, sig: int) -> None:
        if self.returncode is None:
            os.kill(self.pid, sig)


def _run_dbt(args: list[str], env: Mapping[str, str], cwd: str | Path, out: int) -> int:
    """In the forked process: dbt with these arguments; its exit code (0 success, 1 failure,
    2 error, as the command line's)."""

    def emit(event: dict) -> None:
        os.write(out, orjson.dumps(event) + b"\n")

    try:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(env)
        os.environ["DBT_QUIET"] = "true"  # the events go to the pipe, not also to the run's log
        from dbt.cli.main import dbtRunner
        from dbt_common.events.functions import msg_to_dict

        def forward(msg) -> None:
            if msg.info.level in STDOUT_LEVELS:
                emit(msg_to_dict(msg))

        result = dbtRunner(callbacks=[forward]).invoke(args)
        _close_database()
        if result.exception is not None:
            emit(_error(f"dbt failed: {result.exception!r}"))
            return 2
        return 0 if result.success else 1
    except BaseException:  # noqa: BLE001  (reported to dagster-dbt as dbt's own error)
        emit(_error(traceback.format_exc()))
        return 2


def _close_database() -> None:
    """Close the warehouse dbt-duckdb keeps open (at exit, which this process skips: it leaves
    with os._exit, as a fork should), so its last writes are checkpointed."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    with DuckDBConnectionManager._LOCK:
        if DuckDBConnectionManager._ENV is not None:
            DuckDBConnectionManager._ENV.close()
            DuckDBConnectionManager._ENV = None


def _error(message: str) -> dict:
    return {"info": {"name": "MainEncounteredError", "level": "error", "msg": message}, "data": {}}


def install() -> None:
    """Make dagster-dbt start dbt as a fork of this process (for the rest of its life)."""
    from dagster_dbt.core import dbt_cli_invocation

    dbt_cli_invocation.subprocess = types.SimpleNamespace(
        Popen=ForkedDbt, PIPE=subprocess.PIPE, STDOUT=subprocess.STDOUT
    )
