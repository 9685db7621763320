"""The data tests of the big facts check the rows a windowed `dbt build` wrote; `dbt test`
checks every row (`where: __rows_of_this_run__`, dbt_project/macros/rows_of_this_run.sql)."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb

from ingest.paths import PROJECT_ROOT, Paths

PROJECT = PROJECT_ROOT / "dbt_project"
DBT = str(Path(sys.executable).parent / "dbt")
UNIQUE_EVENT_ID = "unique_fct_lead_events_event_id"


def run_dbt(
    home: Path, target: Path, *args: str, env: dict[str, str] | None = None, check: bool = False
) -> None:
    """`dbt <args>` on a home, its artifacts and log under `target`."""
    subprocess.run(
        [
            DBT,
            *args,
            "--project-dir",
            str(PROJECT),
            "--profiles-dir",
            str(PROJECT),
            "--target-path",
            str(target),
            "--log-path",
            str(target),
            "--quiet",
        ],
        env={**os.environ, "LEADWH_HOME": str(home), **(env or {})},
        cwd=PROJECT,
        check=check,
    )


def dbt(home: Path, target: Path, *args: str) -> dict[str, str]:
    """Run dbt on a home; returns each test's status by its name."""
    run_dbt(home, target, *args)
    results = json.loads((target / "run_results.json").read_text())["results"]
    return {r["unique_id"].split(".")[2]: r["status"] for r in results}


def test_a_windowed_build_tests_its_own_rows_and_dbt_test_tests_all(built_home, tmp_path):
    source, _ = built_home
    paths = Paths(tmp_path / "home")
    shutil.copytree(source.home, paths.home, ignore=shutil.ignore_patterns("dagster"))
    with duckdb.connect(str(paths.warehouse)) as con:
        first, last = con.execute(
            "select min(event_date), max(event_date) from marts.fct_lead_events"
        ).fetchone()
        # an old row written twice (a defect a run of its own would have caught), outside the
        # window built below
        con.execute(
            "insert into marts.fct_lead_events select * from marts.fct_lead_events"
            " where event_date = ? limit 1",
            [first],
        )
    window = json.dumps({"min_date": str(last), "max_date": str(last)})
    built = dbt(paths.home, tmp_path / "build", "build", "--select", "fct_lead_events",
                "--vars", window)  # fmt: skip
    assert built[UNIQUE_EVENT_ID] == "pass"  # only the rows of this run are checked
    tested = dbt(paths.home, tmp_path / "test", "test", "--select", "fct_lead_events")
    assert tested[UNIQUE_EVENT_ID] == "fail"  # every row is checked
