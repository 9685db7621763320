"""Runs whose process died (`kill -9`, power loss) and the claims they left behind.

A run killed while it holds the `warehouse` pool's slot keeps it, and stays STARTED, for ever:
every later run waits for the slot. Dagster's run monitoring cannot tell, since runs executed in
process (`leadwh build`) or by the default run launcher have no worker health check. So before
each build, and in the sensor and schedules before they launch, `release_dead_runs` looks at every
unfinished run: when the process that runs it (the pid in the owner tags `leadwh build` writes,
else the pid of its RUN_START event; on the host its tag names, which the sensor and schedules
write too) is on this host and is gone, or the pid now belongs to a process started after that
trace was written, the run is marked failed and its pool slots are freed. Slots still held by
finished runs are freed too. A run with no known process, or on another host, is left alone.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from pathlib import Path

import dagster as dg

from orchestration.names import RUNNING

PID_TAG = "leadwh/pid"
HOST_TAG = "leadwh/host"
# Statuses in which a run may hold a slot or count as in flight, with a process behind it.
# QUEUED runs have no process yet (the daemon's queue owns them).
UNFINISHED = [*RUNNING, dg.DagsterRunStatus.CANCELING]
FINISHED = [dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED]
# A process that started this long after its trace was written cannot be the run's (pid reuse);
# /proc gives the boot time in whole seconds.
START_TOLERANCE_SECONDS = 2.0


def owner_tags() -> dict[str, str]:
    """Tags naming this process as the one that executes a run (for runs executed in process)."""
    return {PID_TAG: str(os.getpid()), **host_tag()}


def host_tag() -> dict[str, str]:
    """The tag naming this machine: for runs a sensor or schedule has launched here (the default
    run launcher runs them on this machine)."""
    return {HOST_TAG: socket.gethostname()}


def _process_start_time(pid: int) -> float | None:
    """When a process started (epoch seconds), from /proc on Linux; None when unknown."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        boot = next(
            float(line.split()[1])
            for line in Path("/proc/stat").read_text().splitlines()
            if line.startswith("btime ")
        )
    except (OSError, StopIteration, ValueError):
        return None
    fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (command) "
    if fields[0] == "Z":  # a zombie: dead, waiting for its parent to collect it
        return float("inf")
    return boot + int(fields[19]) / os.sysconf("SC_CLK_TCK")


def process_alive(pid: int, not_started_after: float | None = None) -> bool:
    """Whether the process `pid` runs, and (when given) started no later than that time."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # another user's process: it exists
    started = _process_start_time(pid)
    if started is None:
        return True
    if started == float("inf"):
        return False
    return not_started_after is None or started <= not_started_after + START_TOLERANCE_SECONDS


def run_process(
    instance: dg.DagsterInstance, record: dg.RunRecord
) -> tuple[str | None, int, float] | None:
    """(host, pid, latest start) of the process executing a run: its owner tags (the process
    wrote them when it created the run, so it started before that), else the pid of its RUN_START
    event (on the host tagged, or this one when untagged; the process started before it wrote
    the event: a launcher starts it after the run was created and queued). None when there is no
    trace of one."""
    run = record.dagster_run
    host = run.tags.get(HOST_TAG)
    if PID_TAG in run.tags:
        return host, int(run.tags[PID_TAG]), record.create_timestamp.timestamp()
    records = instance.get_records_for_run(
        run.run_id, of_type=dg.DagsterEventType.RUN_START, limit=1
    ).records
    entry = records[0].event_log_entry if records else None
    if entry is None or entry.dagster_event is None or entry.dagster_event.pid is None:
        return None
    return host, entry.dagster_event.pid, entry.timestamp


def is_dead(instance: dg.DagsterInstance, record: dg.RunRecord) -> bool:
    """Whether an unfinished run's process is known to be gone (on this host)."""
    owner = run_process(instance, record)
    if owner is None:
        return False
    host, pid, started_by = owner
    if host is not None and host != socket.gethostname():
        return False
    return not process_alive(pid, not_started_after=started_by)


def release_dead_runs(
    instance: dg.DagsterInstance, log: Callable[[str], None] | None = None
) -> list[str]:
    """Mark the runs whose process died as failed and free their pool slots, and free the slots
    finished runs still hold; returns the ids of the runs marked failed."""
    released = []
    for record in instance.get_run_records(filters=dg.RunsFilter(statuses=UNFINISHED)):
        if not is_dead(instance, record):
            continue
        run = record.dagster_run
        instance.report_run_failed(
            run,
            message="LeadWarehouse: the process executing this run died (killed or the machine"
            " stopped); marked failed and its warehouse pool slot freed.",
        )
        released.append(run.run_id)
        if log:
            log(f"run {run.run_id} ({run.job_name}) died without finishing: marked failed")
    storage = instance.event_log_storage
    if not storage.supports_global_concurrency_limits:
        return released
    holders = storage.get_concurrency_run_ids()
    if holders:
        finished = instance.get_run_records(
            filters=dg.RunsFilter(run_ids=list(holders), statuses=FINISHED)
        )
        for record in finished:
            storage.free_concurrency_slots_for_run(record.dagster_run.run_id)
            if log and record.dagster_run.run_id not in released:
                log(f"freed the pool slots still held by finished run {record.dagster_run.run_id}")
    return released
