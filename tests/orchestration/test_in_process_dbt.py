"""dbt run inside the process (orchestration/in_process_dbt.py): the JSON lines dagster-dbt reads
from a dbt subprocess, its exit code, and the environment taken back after."""

from __future__ import annotations

import os

import orjson

from orchestration.defs.project import DBT_PROJECT_DIR
from orchestration.in_process_dbt import DbtInProcess


def lines(process: DbtInProcess) -> list[dict]:
    with process.stdout:
        return [orjson.loads(line) for line in process.stdout]


def test_a_parse_streams_dbts_json_lines_and_gives_the_environment_back(tmp_path):
    env = {
        **os.environ,
        "DBT_TARGET_PATH": "target",  # as dagster-dbt gives them: relative to the directory
        "DBT_LOG_PATH": "target",
        "DBT_PROJECT_DIR": str(DBT_PROJECT_DIR),
        "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR),
    }
    assert "DBT_TARGET_PATH" not in os.environ
    process = DbtInProcess(["dbt", "parse"], env=env, cwd=tmp_path)
    events = lines(process)
    assert process.wait() == 0 and process.returncode == 0
    names = [event["info"]["name"] for event in events]
    assert names[:2] == ["MainReportVersion", "AdapterRegistered"]
    assert {event["info"]["level"] for event in events} <= {"info", "warn", "error"}
    assert all("data" in event for event in events)
    assert (tmp_path / "target" / "manifest.json").exists()  # dbt read the environment given
    assert (tmp_path / "target" / "dbt.log").exists()
    assert "DBT_TARGET_PATH" not in os.environ and "DBT_QUIET" not in os.environ


def test_a_dbt_that_cannot_start_says_why_and_exits_non_zero():
    process = DbtInProcess(["dbt", "build", "--no-such-flag"], env=os.environ, cwd=DBT_PROJECT_DIR)
    events = lines(process)
    assert process.wait() == 2
    errors = [event for event in events if event["info"]["level"] == "error"]
    assert errors and "no-such-flag" in errors[-1]["info"]["msg"]
