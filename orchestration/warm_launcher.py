"""The run launcher of a LeadWarehouse Dagster home: runs start in a process forked from a warm
worker (orchestration/warm_worker.py) instead of one that loads the code location first.

Dagster's default launcher asks the code server to start a run: the server spawns a new Python,
which imports Dagster, dagster-dbt, dbt's manifest, Polars and pandera and builds the definitions
before the run's first step (13-14 s of the landing sensor's 53 s, median, on two cores). This
launcher keeps one worker process that has loaded all that and forks it per run (a few
milliseconds). dagster.yaml names it (orchestration/build.py INSTANCE_YAML).

The first run after the daemon starts, or after the code changed (code_fingerprint in
orchestration/warm_worker.py), waits while a worker loads the code: about what its own process
would have taken. A run of another code location or Python goes through the default launcher,
and so does one when the worker cannot load the code (its run log says why; the worker is tried
again a minute later). Terminating a run sends its process SIGINT, as the code server would.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from typing import Any

from dagster import DefaultRunLauncher
from dagster._core.launcher.base import LaunchRunContext
from dagster._serdes import serialize_value

from orchestration.warm_worker import CODE_LOCATION_MODULE, code_fingerprint

PID_TAG = "leadwh/warm_pid"  # the pid of a run's forked process (terminate)
READY_TIMEOUT_SECONDS = 300.0
RETRY_AFTER_SECONDS = 60.0


class WorkerError(Exception):
    pass


class Worker:
    """One warm worker process and the launcher's end of its socket."""

    def __init__(self) -> None:
        ours, theirs = socket.socketpair()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "orchestration.warm_worker", str(theirs.fileno())],
            pass_fds=[theirs.fileno()],
            stdin=subprocess.DEVNULL,
        )
        theirs.close()
        self.conn = ours
        self.replies = ours.makefile("rb")
        self.fingerprint: str | None = None

    def _reply(self, timeout: float) -> dict[str, Any]:
        self.conn.settimeout(timeout)
        try:
            line = self.replies.readline()
        except OSError as error:  # socket.timeout among them
            raise WorkerError(f"no reply from the warm worker: {error}") from error
        if not line:
            raise WorkerError(f"the warm worker exited (code {self.process.poll()})")
        return json.loads(line)

    def wait_ready(self) -> None:
        reply = self._reply(READY_TIMEOUT_SECONDS)
        if "ready" not in reply:
            raise WorkerError(f"the warm worker could not load the code:\n{reply.get('error')}")
        self.fingerprint = reply["ready"]

    def fork_run(self, serialized_args: str) -> int:
        self.conn.sendall(json.dumps({"execute_run": serialized_args}).encode() + b"\n")
        return int(self._reply(30.0)["pid"])

    def stop(self) -> None:
        self.replies.close()  # the socket closes with its last reference: the file's too
        self.conn.close()  # the worker exits at the end of its input; its runs go on
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class WarmRunLauncher(DefaultRunLauncher):
    """Launches this code location's runs from a warm worker, others as the default launcher."""

    def __init__(self, inst_data=None):
        super().__init__(inst_data=inst_data)
        self._lock = threading.Lock()
        self._worker: Worker | None = None
        self._failed_at = float("-inf")

    def launch_run(self, context: LaunchRunContext) -> None:
        run = context.dagster_run
        if not _is_ours(run.job_code_origin):
            return super().launch_run(context)
        args = serialize_value(
            _execute_run_args(run.job_code_origin, run.run_id, self._instance.get_ref())
        )
        try:
            pid = self._fork_run(args)
        except WorkerError as error:
            self._instance.report_engine_event(
                f"Launching through the code server: {error}", run, cls=self.__class__
            )
            return super().launch_run(context)
        self._instance.add_run_tags(run.run_id, {PID_TAG: str(pid)})
        self._run_ids.add(run.run_id)

    def _fork_run(self, serialized_args: str) -> int:
        with self._lock:
            worker = self._ready_worker()
            try:
                return worker.fork_run(serialized_args)
            except (OSError, WorkerError) as error:
                self._drop_worker()
                raise WorkerError(
                    f"the warm worker failed ({error}); the next run starts another"
                ) from error

    def _ready_worker(self) -> Worker:
        """The worker, loaded from the code as it is now: the one running, else a new one (its
        load takes about as long as a run's process loading the code: the run waits the same)."""
        worker = self._worker
        if worker is not None and worker.process.poll() is None:
            if worker.fingerprint == code_fingerprint():
                return worker
        self._drop_worker()
        if time.monotonic() - self._failed_at < RETRY_AFTER_SECONDS:
            raise WorkerError("the warm worker failed to load the code less than a minute ago")
        worker = Worker()
        try:
            worker.wait_ready()
        except WorkerError:
            self._failed_at = time.monotonic()
            worker.stop()
            raise
        self._worker = worker
        return worker

    def _drop_worker(self) -> None:
        if self._worker is not None:
            self._worker.stop()
            self._worker = None

    def terminate(self, run_id: str) -> bool:
        run = self._instance.get_run_by_id(run_id)
        if run is None or PID_TAG not in run.tags:
            return super().terminate(run_id)
        if run.is_finished:
            return False
        self._instance.report_run_canceling(run)
        try:
            os.kill(int(run.tags[PID_TAG]), signal.SIGINT)  # what the code server would send
        except ProcessLookupError:
            return False
        return True

    def dispose(self) -> None:
        with self._lock:
            self._drop_worker()
        super().dispose()


def _is_ours(origin) -> bool:
    """A run of this code location, under this Python (the worker's)."""
    if origin is None:
        return False
    repository = origin.repository_origin
    pointer = repository.code_pointer
    return (
        getattr(pointer, "module", None) == CODE_LOCATION_MODULE
        and repository.executable_path == sys.executable
    )


def _execute_run_args(origin, run_id: str, instance_ref):
    from dagster._grpc.types import ExecuteRunArgs

    return ExecuteRunArgs(job_origin=origin, run_id=run_id, instance_ref=instance_ref)
