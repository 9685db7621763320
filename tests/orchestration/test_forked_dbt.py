"""dbt forked from the run's process (orchestration/forked_dbt.py): the JSON lines dagster-dbt
reads from a dbt subprocess, its exit code, its environment and directory, an interrupt."""

from __future__ import annotations

import os
import signal

import orjson

from orchestration.defs.project import DBT_PROJECT_DIR
from orchestration.forked_dbt import ForkedDbt


def lines(process: ForkedDbt) -> list[dict]:
    with process.stdout:
        return [orjson.loads(line) for line in process.stdout]


def test_a_parse_streams_dbts_json_lines_from_its_own_process(tmp_path):
    ours = os.environ.get("DBT_TARGET_PATH")  # the engine's (orchestration/defs/project.py)
    env = {
        **os.environ,
        "DBT_TARGET_PATH": str(tmp_path / "target"),
        "DBT_LOG_PATH": "logs",  # relative to the directory it is given
        "DBT_PROJECT_DIR": str(DBT_PROJECT_DIR),
        "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR),
    }
    process = ForkedDbt(["dbt", "parse"], env=env, cwd=tmp_path)
    assert process.pid != os.getpid()
    events = lines(process)
    assert process.wait() == 0 and process.poll() == 0
    names = [event["info"]["name"] for event in events]
    assert names[:2] == ["MainReportVersion", "AdapterRegistered"]
    assert {event["info"]["pid"] for event in events} == {process.pid}
    assert {event["info"]["level"] for event in events} <= {"info", "warn", "error"}
    assert all("data" in event for event in events)
    assert (tmp_path / "target" / "manifest.json").exists()  # its environment and directory
    assert (tmp_path / "logs" / "dbt.log").exists()
    assert os.environ.get("DBT_TARGET_PATH") == ours and os.getcwd() != str(tmp_path)


def test_a_dbt_that_cannot_start_says_why_and_exits_non_zero():
    process = ForkedDbt(["dbt", "build", "--no-such-flag"], env=os.environ, cwd=DBT_PROJECT_DIR)
    events = lines(process)
    assert process.wait() == 2
    errors = [event for event in events if event["info"]["level"] == "error"]
    assert errors and "no-such-flag" in errors[-1]["info"]["msg"]


def test_an_interrupted_dbt_stops():
    process = ForkedDbt(
        ["dbt", "--version"], env={**os.environ, "PYTHONPATH": ""}, cwd=DBT_PROJECT_DIR
    )
    process.send_signal(signal.SIGKILL)
    assert process.wait(timeout=30) == -signal.SIGKILL
    process.send_signal(signal.SIGINT)  # once it has exited: nothing to do
