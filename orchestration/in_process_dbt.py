"""dbt run inside a warm run's process (orchestration/warm_worker.py) instead of a new Python.

dagster-dbt starts `dbt` as a subprocess and reads its JSON log lines from the pipe. A new Python
spends 4-9 s on two cores importing dbt, its adapter and Jinja before dbt reads its first file; the
warm worker has imported them once. `install()` makes dagster-dbt's invocation start a
`DbtInProcess` instead: dbt's programmatic runner (`dbtRunner`) in a thread of the run's process,
its events written to a pipe as the same JSON lines (dbt's own `--log-format json` form, at its
stdout's level: info and above), so dagster-dbt reads them as it reads the subprocess's.

The environment dagster-dbt gives dbt (DBT_TARGET_PATH and the others) is set in the process for
the invocation's time and taken back after, and dbt-duckdb's database is closed after it.
Interrupting the run cannot stop the thread: the run's process ends with it (dagster-dbt waits
its termination timeout first).
"""

from __future__ import annotations

import os
import subprocess
import threading
import traceback
import types
from collections.abc import Mapping, Sequence
from pathlib import Path

import orjson

STDOUT_LEVELS = {"info", "warn", "error"}  # the levels dbt's stdout log shows by default
RELATIVE_TO_CWD = ("DBT_TARGET_PATH", "DBT_LOG_PATH")


class DbtInProcess:
    """What dagster-dbt uses of `subprocess.Popen`, for a dbt invocation in this process."""

    def __init__(
        self, args: Sequence[str], env: Mapping[str, str], cwd: str | Path, **_ignored
    ) -> None:
        self.args = list(args)
        env = dict(env)
        for name in RELATIVE_TO_CWD:  # dagster-dbt's are relative to the subprocess's directory
            if name in env:
                env[name] = str(Path(cwd, env[name]))
        self.returncode: int | None = None
        read, self._write = os.pipe()
        self.stdout = os.fdopen(read, "rb")
        self._done = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(env,), name="dbt-in-process", daemon=True
        )
        self._thread.start()

    def _emit(self, event: dict) -> None:
        os.write(self._write, orjson.dumps(event) + b"\n")

    def _run(self, env: dict[str, str]) -> None:
        from dbt.cli.main import dbtRunner
        from dbt_common.events.functions import msg_to_dict

        def forward(msg) -> None:
            if msg.info.level in STDOUT_LEVELS:
                self._emit(msg_to_dict(msg))

        env["DBT_QUIET"] = "true"  # the events go to the pipe, not also to the run's stdout
        added = {name: value for name, value in env.items() if os.environ.get(name) != value}
        before = {name: os.environ.get(name) for name in added}
        os.environ.update(added)
        code = 2
        try:
            result = dbtRunner(callbacks=[forward]).invoke(self.args[1:])
            code = 0 if result.success else (1 if result.exception is None else 2)
            if result.exception is not None:
                self._error(f"dbt failed: {result.exception!r}")
        except BaseException:  # noqa: BLE001  (reported to dagster-dbt as dbt's own error)
            self._error(traceback.format_exc())
        finally:
            _close_dbt_connections()
            for name, value in before.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
            self.returncode = code
            os.close(self._write)
            self._done.set()

    def _error(self, message: str) -> None:
        self._emit(
            {"info": {"name": "MainEncounteredError", "level": "error", "msg": message}, "data": {}}
        )

    def wait(self, timeout: float | None = None) -> int | None:
        self._done.wait(timeout)
        return self.returncode

    def poll(self) -> int | None:
        return self.returncode

    def send_signal(self, signal: int) -> None:
        """dbt's runner has no way to be stopped from outside; the run's process ends instead."""


def _close_dbt_connections() -> None:
    """Close the database dbt-duckdb keeps open in the process after an invocation (its
    subprocess would have exited): a later step opens the warehouse with settings of its own,
    which DuckDB refuses while another connection to the file is open."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    from dbt.adapters.factory import reset_adapters

    reset_adapters()
    with DuckDBConnectionManager._LOCK:
        if DuckDBConnectionManager._ENV is not None:
            DuckDBConnectionManager._ENV.close()
            DuckDBConnectionManager._ENV = None


def install() -> None:
    """Make dagster-dbt run dbt in this process (for the rest of its life)."""
    from dagster_dbt.core import dbt_cli_invocation

    shim = types.SimpleNamespace(Popen=DbtInProcess, PIPE=subprocess.PIPE, STDOUT=subprocess.STDOUT)
    dbt_cli_invocation.subprocess = shim
