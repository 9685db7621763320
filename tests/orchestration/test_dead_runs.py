"""Runs whose process died are found, marked failed and their warehouse pool slots freed: by the
build (orchestration/dead_runs.py), the landing sensor and the daily schedule."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime

import dagster as dg
import pytest

from orchestration.dead_runs import HOST_TAG, PID_TAG, process_alive, release_dead_runs
from tests.orchestration.test_sensor import (
    EVENT,
    SETTLE,
    WatchCursor,
    events_line,
    tick,
    write,
    zone,  # noqa: F401 (fixture)
)

POOL = "warehouse"
NOOP = dg.GraphDefinition(name="noop", node_defs=[]).to_job()


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def started_run(instance, pid: int, host: str | None = None, **tags) -> str:
    """A run marked STARTED, executed by `pid`, holding (or waiting for) the pool's slot."""
    owner = {PID_TAG: str(pid), HOST_TAG: host or socket.gethostname()}
    run = instance.create_run_for_job(NOOP, tags={**owner, **tags})
    instance.report_dagster_event(
        dg.DagsterEvent(dg.DagsterEventType.RUN_START.value, job_name=run.job_name),
        run_id=run.run_id,
    )
    instance.event_log_storage.claim_concurrency_slot(POOL, run.run_id, "raw_landing")
    return run.run_id


@pytest.fixture
def instance():
    with dg.instance_for_test() as instance:
        instance.event_log_storage.set_concurrency_slots(POOL, 1)
        yield instance


def claimed(instance) -> list[str]:
    return [s.run_id for s in instance.event_log_storage.get_concurrency_info(POOL).claimed_slots]


def test_a_dead_runs_slot_is_freed_and_the_run_marked_failed(instance):
    dead = started_run(instance, dead_pid())
    assert claimed(instance) == [dead]
    assert instance.get_run_by_id(dead).status == dg.DagsterRunStatus.STARTED

    assert release_dead_runs(instance) == [dead]
    assert instance.get_run_by_id(dead).status == dg.DagsterRunStatus.FAILURE
    assert claimed(instance) == []
    # the slot can be claimed again
    other = instance.create_run_for_job(NOOP)
    assert instance.event_log_storage.claim_concurrency_slot(POOL, other.run_id, "s").is_claimed


def test_a_live_run_and_a_run_on_another_host_are_left_alone(instance):
    live = started_run(instance, os.getpid())
    assert release_dead_runs(instance) == []
    assert instance.get_run_by_id(live).status == dg.DagsterRunStatus.STARTED
    assert claimed(instance) == [live]
    instance.event_log_storage.free_concurrency_slots_for_run(live)

    remote = started_run(instance, dead_pid(), host="another-machine")
    assert release_dead_runs(instance) == []
    assert claimed(instance) == [remote]


def test_a_finished_run_still_holding_a_slot_gives_it_back(instance):
    run_id = started_run(instance, os.getpid())
    run = instance.get_run_by_id(run_id)
    instance.report_run_failed(run)
    assert claimed(instance) == [run_id]
    assert release_dead_runs(instance) == []
    assert claimed(instance) == []


def test_a_reused_pid_does_not_keep_a_run_alive():
    with subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"]) as proc:
        try:
            time.sleep(0.2)
            assert process_alive(proc.pid)
            assert process_alive(proc.pid, not_started_after=time.time())
            # a run created a minute before this process started cannot be executed by it
            assert not process_alive(proc.pid, not_started_after=time.time() - 60)
        finally:
            proc.kill()
    assert not process_alive(proc.pid)


def test_a_run_whose_process_a_launcher_started_later_is_alive_until_it_dies(instance):
    """The daemon's launcher starts a run's process after the run was created and queued (here
    3 s after); the process's pid is in its RUN_START event, the run has no owner tags."""
    run = instance.create_run_for_job(NOOP, tags={HOST_TAG: socket.gethostname()})
    time.sleep(3)
    with subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"]) as proc:
        try:
            time.sleep(0.2)
            instance.report_dagster_event(
                dg.DagsterEvent(
                    dg.DagsterEventType.RUN_START.value, job_name=run.job_name, pid=proc.pid
                ),
                run_id=run.run_id,
            )
            assert release_dead_runs(instance) == []
        finally:
            proc.kill()
    assert release_dead_runs(instance) == [run.run_id]


def test_the_sensor_releases_dead_runs_instead_of_waiting_for_them(zone, instance):  # noqa: F811
    from orchestration.names import LANDING_SENSOR as SENSOR_NAME
    from orchestration.names import TRIGGER_TAG

    write(zone.landing_events / "batches/a.ndjson", events_line(EVENT["start_timestamp"]))
    time.sleep(SETTLE + 0.1)
    dead = [started_run(instance, dead_pid(), **{TRIGGER_TAG: SENSOR_NAME}) for _ in range(2)]
    result = tick(zone, instance, WatchCursor().to_json())
    assert len(result.run_requests) == 1, result.skip_reason
    assert {instance.get_run_by_id(r).status for r in dead} == {dg.DagsterRunStatus.FAILURE}
    assert claimed(instance) == []


def test_the_daily_schedule_releases_dead_runs(instance):
    from orchestration.defs.pipeline.schedules import daily_build

    dead = started_run(instance, dead_pid())
    context = dg.build_schedule_context(
        instance=instance, scheduled_execution_time=datetime(2026, 11, 3, 0, 30, tzinfo=UTC)
    )
    assert daily_build(context).partition_key == "2026-11-02"
    assert instance.get_run_by_id(dead).status == dg.DagsterRunStatus.FAILURE
    assert claimed(instance) == []


def test_the_dagster_home_of_an_earlier_version_gets_run_monitoring(tmp_path):
    from ingest.paths import Paths
    from orchestration.build import INSTANCE_YAML, dagster_home
    from tests.conftest import environment

    paths = Paths(tmp_path / "home")
    paths.dagster_home.mkdir(parents=True)
    earlier = "# Written by LeadWarehouse (orchestration/build.py).\nconcurrency:\n  pools:\n"
    (paths.dagster_home / "dagster.yaml").write_text(earlier + "    default_limit: 1\n")
    with environment(DAGSTER_HOME=str(paths.dagster_home)):
        dagster_home(paths)
        assert (paths.dagster_home / "dagster.yaml").read_text() == INSTANCE_YAML
        with dg.DagsterInstance.get() as instance:
            assert instance.run_monitoring_enabled
            assert instance.get_concurrency_config().pool_config.default_pool_limit == 1


def test_a_run_launched_by_the_daemon_is_known_by_its_run_start_events_pid(instance):
    """Sensor and schedule runs carry no pid tag: the process that started them is found from
    their RUN_START event, on the host their tag names."""

    def launched(pid: int, host: str) -> str:
        run = instance.create_run_for_job(NOOP, tags={HOST_TAG: host})
        instance.report_dagster_event(
            dg.DagsterEvent(dg.DagsterEventType.RUN_START.value, job_name=run.job_name, pid=pid),
            run_id=run.run_id,
        )
        return run.run_id

    elsewhere = launched(dead_pid(), "another-machine")
    here = launched(dead_pid(), socket.gethostname())
    alive = launched(os.getpid(), socket.gethostname())
    assert release_dead_runs(instance) == [here]
    assert instance.get_run_by_id(elsewhere).status == dg.DagsterRunStatus.STARTED
    assert instance.get_run_by_id(alive).status == dg.DagsterRunStatus.STARTED
