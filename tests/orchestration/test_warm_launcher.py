"""The run launcher of a LeadWarehouse Dagster home (orchestration/warm_launcher.py): runs start in
processes forked from one worker that loaded the code location; a worker whose code changed, or
that was killed, is replaced by a new one; terminating a run interrupts its process."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.code_pointer import ModuleCodePointer
from dagster._core.definitions.reconstruct import ReconstructableRepository

from ingest.paths import PROJECT_ROOT, Paths
from orchestration import warm_launcher
from orchestration.names import IN_PROCESS
from tests.conftest import environment


@pytest.fixture
def instance(tmp_path):
    from orchestration.build import dagster_home

    paths = Paths(tmp_path / "home")
    paths.landing.mkdir(parents=True)
    with environment(LEADWH_HOME=str(paths.home), DAGSTER_HOME=str(paths.dagster_home)):
        dagster_home(paths)  # its dagster.yaml names the launcher
        with dg.DagsterInstance.get() as instance:
            yield instance
            instance.run_launcher.dispose()


def launch(
    instance: dg.DagsterInstance, job_name: str = "ingest", tags: dict | None = None
) -> dg.DagsterRun:
    """A run of this code location's job, created and launched as the daemon does."""
    pointer = ModuleCodePointer("orchestration.definitions", "defs", str(PROJECT_ROOT))
    recon = ReconstructableRepository(pointer, executable_path=sys.executable)
    job = recon.get_reconstructable_job(job_name)
    run = instance.create_run_for_job(
        job.get_definition(),
        run_config={"execution": IN_PROCESS},
        tags=tags,
        job_code_origin=job.get_python_origin(),
    )
    return instance.launch_run(run.run_id, workspace=None)


def finished(instance: dg.DagsterInstance, run_id: str, timeout: float = 120) -> dg.DagsterRun:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = instance.get_run_by_id(run_id)
        if run.is_finished:
            return run
        time.sleep(0.2)
    raise AssertionError(f"run {run_id} did not finish in {timeout} s")


def run_start_pid(instance: dg.DagsterInstance, run_id: str) -> int:
    (record,) = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.RUN_START).records
    return record.event_log_entry.dagster_event.pid


def test_runs_start_in_processes_forked_from_one_warm_worker(instance, monkeypatch):
    launcher = instance.run_launcher
    assert isinstance(launcher, warm_launcher.WarmRunLauncher)

    first = finished(instance, launch(instance).run_id)
    worker = launcher._worker
    second = finished(instance, launch(instance).run_id)
    assert launcher._worker is worker and worker.process.poll() is None  # loaded once
    for run in (first, second):
        assert run.status == dg.DagsterRunStatus.SUCCESS
        pid = int(run.tags[warm_launcher.PID_TAG])
        assert pid not in (os.getpid(), worker.process.pid)
        assert run_start_pid(instance, run.run_id) == pid  # the forked process ran it
    assert int(first.tags[warm_launcher.PID_TAG]) != int(second.tags[warm_launcher.PID_TAG])

    # the code changed since the worker loaded it: another worker loads it, the old one stops
    monkeypatch.setattr(warm_launcher, "code_fingerprint", lambda: "changed")
    third = finished(instance, launch(instance).run_id)
    assert third.status == dg.DagsterRunStatus.SUCCESS
    assert launcher._worker is not worker
    assert worker.process.returncode == 0  # it left at the end of its input, not killed

    # a worker killed (kill -9) is replaced at the next launch
    os.kill(launcher._worker.process.pid, signal.SIGKILL)
    killed = launcher._worker
    fourth = finished(instance, launch(instance).run_id)
    assert fourth.status == dg.DagsterRunStatus.SUCCESS
    assert launcher._worker is not killed

    launcher.dispose()
    assert launcher._worker is None


def test_terminating_a_run_interrupts_its_forked_process(instance):
    from tests.conftest import simulate_small

    # enough to land that the run is still at it when terminated
    simulate_small(Paths(Path(os.environ["LEADWH_HOME"])).landing, leads=20000, days=3)
    run = launch(instance)
    deadline = time.monotonic() + 120
    while instance.get_run_by_id(run.run_id).status != dg.DagsterRunStatus.STARTED:
        assert time.monotonic() < deadline, "the run did not start"
        time.sleep(0.1)
    assert instance.run_launcher.terminate(run.run_id)
    assert finished(instance, run.run_id, timeout=60).status == dg.DagsterRunStatus.CANCELED


def test_a_build_launched_warm_runs_dbt_in_its_process_with_every_test(instance):
    import duckdb

    from orchestration.defs.dbt import dbt_models
    from orchestration.names import RANGE_END, RANGE_START
    from tests.conftest import simulate_small

    home = Paths(Path(os.environ["LEADWH_HOME"]))
    summary = simulate_small(home.landing)
    assert finished(instance, launch(instance).run_id).status == dg.DagsterRunStatus.SUCCESS
    days = {RANGE_START: summary.start_date, RANGE_END: summary.end_date}
    run = finished(instance, launch(instance, "transform", days).run_id, timeout=600)
    assert run.status == dg.DagsterRunStatus.SUCCESS
    evaluations = instance.get_records_for_run(
        run.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION, limit=1000
    ).records
    checked = {
        r.event_log_entry.dagster_event.asset_check_evaluation_data.asset_check_key
        for r in evaluations
    }
    assert checked >= set(dbt_models.check_keys)  # every dbt test ran and reached Dagster
    with duckdb.connect(str(home.serving), read_only=True) as con:
        served = con.execute("select count(*) from marts.fct_lead_events").fetchone()[0]
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        landed = con.execute("select count(*) from raw.lead_events").fetchone()[0]
    assert served == landed > 0
