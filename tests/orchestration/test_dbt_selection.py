"""What dagster-dbt hands to dbt for a subset of the dbt assets and checks: the resources' names,
however many are selected (orchestration/defs/project.py SELECTION_ARGS_LIMIT)."""

from __future__ import annotations

import json
import shutil
from datetime import timedelta

import dagster as dg

from ingest.paths import Paths
from tests.conftest import environment

MAX_ARG_STRLEN = 128 * 1024  # Linux: the longest single command-line argument


def test_the_whole_project_fits_in_one_selection_argument():
    from orchestration.defs.project import SELECTION_ARGS_LIMIT, dbt_project

    manifest = json.loads(dbt_project.manifest_path.read_text())
    resources = [*manifest["nodes"].values(), *manifest["sources"].values()]
    assert len(resources) <= SELECTION_ARGS_LIMIT
    # dagster-dbt selects by fully qualified name, all in one `--select` argument
    assert sum(len(".".join(r["fqn"])) + 1 for r in resources) < MAX_ARG_STRLEN


def test_a_run_of_every_dbt_test_alone_evaluates_them_all(built_home, tmp_path):
    """More than 200 selected resources made dagster-dbt run dbt in a copy of the project without
    its models: dbt did nothing, and the run succeeded with no check evaluated."""
    from orchestration.definitions import defs
    from orchestration.defs.dbt import dbt_models

    source, _ = built_home
    paths = Paths(tmp_path / "home")
    shutil.copytree(source.home, paths.home, ignore=shutil.ignore_patterns("dagster"))
    checks = set(dbt_models.check_keys)
    assert len(checks) > 200
    with environment(LEADWH_HOME=str(paths.home)), dg.instance_for_test() as instance:
        job = defs().resolve_job_def("build_all")
        result = job.get_subset(
            asset_selection=set(), asset_check_selection=checks
        ).execute_in_process(instance=instance, raise_on_error=False)
    evaluations = result.get_asset_check_evaluations()
    assert {e.asset_check_key for e in evaluations} == checks
    assert not result.get_asset_materialization_events()  # tests only: no model was built
    assert all(e.passed for e in evaluations), [
        e.asset_check_key.to_user_string() for e in evaluations if not e.passed
    ]


def test_dbt_refuses_to_run_with_the_clock_set_back(built_home, tmp_path):
    """A materialization of the dbt models alone (from the UI) after the clock was set back:
    their rows would be stamped older than the serving file's (built_at), and the dimensions
    and publish, which follow built_at, would skip them. The step stops before dbt starts."""
    import duckdb

    from ingest.landing.clock import utc_now
    from orchestration.definitions import defs
    from orchestration.defs.dbt import dbt_models

    source, _ = built_home
    paths = Paths(tmp_path / "home")
    shutil.copytree(source.home, paths.home, ignore=shutil.ignore_patterns("dagster"))
    with duckdb.connect(str(paths.warehouse)) as con:  # the last publish, an hour "from now"
        con.execute("update meta.build_state set recorded_at = ?", [utc_now() + timedelta(hours=1)])
    day = str(
        duckdb.connect(str(paths.warehouse), read_only=True)
        .execute("select max(event_date) from raw.lead_events")
        .fetchone()[0]
    )
    with environment(LEADWH_HOME=str(paths.home)), dg.instance_for_test() as instance:
        job = defs().resolve_job_def("build_all")
        result = job.get_subset(asset_selection=set(dbt_models.keys)).execute_in_process(
            instance=instance, raise_on_error=False, partition_key=day
        )
    assert not result.success
    failure = next(e for e in result.all_events if e.is_failure)
    cause = failure.event_specific_data.error.cause
    assert cause.cls_name == "ClockSetBack" and "the clock was set back" in cause.message
    assert not result.get_asset_materialization_events()  # dbt never started
