"""`leadwh build` killed with SIGKILL (its whole process group) at every stage, then run again:
it must not hang on the dead run's pool slot, must finish the work, and must serve exactly what
an uninterrupted build of the same landing files serves.

The kills are placed deterministically: the pipeline's pause points (ingest/pause_points.py)
freeze the build mid-operation (records inserted but not committed in landing, typed rows
replaced but not committed, the new serving file written but not swapped in), and dbt is killed
once its log shows the first fact built. One home goes through the kills one after the other
(landing, typed parsing, dbt, publish), then a plain build; a copy of its landing files is built
once without interruption, at the same time.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from ingest.paths import Paths
from ingest.pause_points import PAUSE_AT, PAUSE_MARKER
from tests.conftest import simulate_small

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
BUILD_TIMEOUT = 900  # seconds: a hung build (a dead run's pool slot) fails the test, never hangs it
# Stamps of the run that wrote a row, different in any two builds.
RUN_STAMPS = {
    "built_at",
    "published_at",
    "ingested_at",
    "quarantined_at",
    "batch_id",
    "updated_at",
    "fired_at",
    "evaluated_at",
    "recorded_at",
    "run_id",  # ops.alerts: the Dagster run that fired an alert
    "loaded_through",  # typed.watermark: the raw load time typed parsing reached
}
DBT_WROTE_A_FACT = re.compile(r"OK created .*fct_lead_events")


def start_build(paths: Paths, log: Path, pause_at: str | None = None) -> subprocess.Popen:
    env = {
        **os.environ,
        "LEADWH_HOME": str(paths.home),
        "DAGSTER_HOME": str(paths.dagster_home),
        "PYTHONPATH": str(ROOT),
    }
    env.pop(PAUSE_AT, None)
    if pause_at:
        env.update({PAUSE_AT: pause_at, PAUSE_MARKER: str(paths.home / "paused")})
    with open(log, "wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "orchestration.cli", "build"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: dbt and workers die with it
        )


def tail(log: Path, lines: int = 40) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def wait_for(proc: subprocess.Popen, log: Path, reached, what: str) -> None:
    deadline = time.monotonic() + BUILD_TIMEOUT
    while not reached():
        if proc.poll() is not None:
            pytest.fail(f"the build ended (exit {proc.returncode}) before {what}:\n{tail(log)}")
        if time.monotonic() > deadline:
            kill(proc)
            pytest.fail(f"the build did not reach {what} in {BUILD_TIMEOUT} s:\n{tail(log)}")
        time.sleep(0.2)


def kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()


def kill_at(paths: Paths, log: Path, pause_at: str | None = None, pattern=None) -> None:
    """Run a build and SIGKILL its process group at a pause point or at a line of its log."""
    marker = paths.home / "paused"
    marker.unlink(missing_ok=True)
    proc = start_build(paths, log, pause_at)
    if pause_at:
        wait_for(proc, log, marker.exists, f"the pause point {pause_at!r}")
    else:
        found = lambda: pattern.search(log.read_text(errors="replace"))  # noqa: E731
        wait_for(proc, log, found, pattern.pattern)
    kill(proc)
    marker.unlink(missing_ok=True)


def finish(proc: subprocess.Popen, log: Path) -> str:
    try:
        proc.wait(timeout=BUILD_TIMEOUT)
    except subprocess.TimeoutExpired:
        kill(proc)
        pytest.fail(f"the build hung (killed after {BUILD_TIMEOUT} s):\n{tail(log)}")
    output = log.read_text(errors="replace")
    assert proc.returncode == 0, f"the build failed:\n{tail(log)}"
    return output


def raw_is_consistent(warehouse: Path) -> None:
    """Every landed file is either in the raw tables and the manifest, counts agreeing, or in
    neither."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            """
            with raw as (
                select source_file, count(*) as n from raw.lead_events group by 1
                union all
                select source_file, count(*) from raw.lead_submissions group by 1
            ),
            manifest as (
                select file_path, sum(loaded) as loaded
                from raw.ingest_manifest where status = 'loaded' group by 1
            )
            select coalesce(raw.source_file, manifest.file_path), raw.n, manifest.loaded
            from raw full outer join manifest on raw.source_file = manifest.file_path
            where coalesce(raw.n, 0) <> coalesce(manifest.loaded, 0)
            """
        ).fetchall()
    assert rows == [], f"files half landed (file, raw rows, manifest loaded): {rows[:5]}"


def serving_tables(serving: Path) -> dict[str, list[tuple]]:
    """Every table of a serving file (but its version stamp), rows sorted, run stamps left out."""
    with duckdb.connect(str(serving), read_only=True) as con:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables"
            " where table_schema <> 'meta' order by all"
        ).fetchall()
        out = {}
        for schema, table in tables:
            columns = [
                name
                for (name,) in con.execute(
                    "select column_name from information_schema.columns"
                    " where table_schema = ? and table_name = ? order by ordinal_position",
                    [schema, table],
                ).fetchall()
                if name not in RUN_STAMPS
            ]
            select = ", ".join(f'"{c}"' for c in columns) or "count(*)"  # stamps only: count
            out[f"{schema}.{table}"] = [tuple(columns)] + con.execute(
                f'select {select} from "{schema}"."{table}" order by all'
            ).fetchall()
    return out


def test_a_build_killed_at_any_stage_is_finished_by_the_next_one(tmp_path):
    crashed, reference = Paths(tmp_path / "crashed"), Paths(tmp_path / "reference")
    simulate_small(crashed.landing)
    shutil.copytree(crashed.landing, reference.landing)
    uninterrupted = start_build(reference, tmp_path / "reference.log")
    # both builds parse the one dbt project (its target folder): not at the same time
    started = lambda: "RUN_START" in (tmp_path / "reference.log").read_text()  # noqa: E731
    wait_for(uninterrupted, tmp_path / "reference.log", started, "its first run")

    # landing: records inserted, the chunk's transaction open
    kill_at(crashed, tmp_path / "1-landing.log", pause_at="landing")
    raw_is_consistent(crashed.warehouse)
    # typed parsing: the landing's pool slot is still claimed by the dead run (it hangs without
    # the release of dead runs)
    kill_at(crashed, tmp_path / "2-typed.log", pause_at="typed")
    raw_is_consistent(crashed.warehouse)
    # dbt: once the first fact is written
    kill_at(crashed, tmp_path / "3-dbt.log", pattern=DBT_WROTE_A_FACT)
    # publish: the new serving file written, not yet swapped in
    kill_at(crashed, tmp_path / "4-publish.log", pause_at="publish")
    leftovers = list(crashed.serving.parent.glob(".*.tmp*"))
    assert leftovers, "the killed publish should have left its temporary file"
    assert not crashed.serving.exists()

    output = finish(start_build(crashed, tmp_path / "5-rerun.log"), tmp_path / "5-rerun.log")
    assert "died without finishing: marked failed" in output
    assert "build succeeded" in output
    assert not [p for p in leftovers if p.exists()], "temporary files of the killed publish remain"
    raw_is_consistent(crashed.warehouse)

    again = finish(start_build(crashed, tmp_path / "6-again.log"), tmp_path / "6-again.log")
    assert "up to date" in again

    finish(uninterrupted, tmp_path / "reference.log")
    got, expected = serving_tables(crashed.serving), serving_tables(reference.serving)
    assert sorted(got) == sorted(expected)
    differing = [name for name in expected if got[name] != expected[name]]
    assert differing == [], f"tables that differ from an uninterrupted build: {differing}"
