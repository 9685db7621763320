"""The Dagster code location loads and forms one connected asset graph."""

import dagster as dg

from orchestration.definitions import defs


def test_code_location_loads_with_one_connected_graph():
    definitions = defs()
    graph = definitions.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    assert {
        "raw/lead_events",
        "raw/lead_submissions",
        "raw/ingest_manifest",
        "raw/quarantine",
        "staging/stg_leadconduit__events",
        "marts/fct_acceptance_daily",
        "reference/reason_categories",
        "serving/serving_database",
    } <= keys
    # dbt sources are the landing assets, not separate external assets
    upstream = graph.get(dg.AssetKey(["staging", "stg_leadconduit__events"])).parent_keys
    assert dg.AssetKey(["raw", "lead_events"]) in upstream
    assert graph.get(dg.AssetKey(["raw", "lead_events"])).is_materializable
    # publish waits for every mart
    serving_parents = graph.get(dg.AssetKey(["serving", "serving_database"])).parent_keys
    assert dg.AssetKey(["marts", "fct_acceptance_daily"]) in serving_parents
    # dbt tests surface as asset checks
    assert graph.asset_check_keys
    assert definitions.resolve_job_def("build_all") is not None


def test_groups_follow_the_layers():
    graph = defs().resolve_asset_graph()
    groups = {graph.get(k).group_name for k in graph.get_all_asset_keys()}
    assert {"landing", "staging", "intermediate", "marts", "reference", "serving"} <= groups


def test_each_dbt_check_belongs_to_the_step_that_runs_it():
    """The dbt assets come in three steps (upstream, partitioned, downstream). A check declared
    by a step whose dbt command cannot run it (a parent is built by a later step) emits no
    result, and Dagster warns about it in every build. So: every model and seed is built by one
    step, every dbt test is a check of one step, and none reads a model a later step builds."""
    import json

    from orchestration.defs.dbt import DBT_ASSETS
    from orchestration.defs.project import dbt_project

    step_of = {key: step for step, assets in enumerate(DBT_ASSETS) for key in assets.keys}
    assert sum(len(assets.keys) for assets in DBT_ASSETS) == len(step_of)
    manifest = json.loads(dbt_project.manifest_path.read_text())
    nodes = manifest["nodes"].values()
    built = [n for n in nodes if n["resource_type"] in ("model", "seed")]
    # an ephemeral model is a CTE inside the models that use it: no table, no asset
    assert len(step_of) == sum(n["config"]["materialized"] != "ephemeral" for n in built)
    checks = {
        spec.key: (step, spec)
        for step, assets in enumerate(DBT_ASSETS)
        for spec in assets.check_specs
    }
    assert len(checks) == sum(len(list(assets.check_specs)) for assets in DBT_ASSETS)
    tests = {n["name"] for n in nodes if n["resource_type"] == "test"}
    assert {key.name for key in checks} == tests

    def reads(spec: dg.AssetCheckSpec) -> list[dg.AssetKey]:
        return [spec.asset_key, *(dep.asset_key for dep in spec.additional_deps)]

    later = {
        key.to_user_string(): [parent.to_user_string() for parent in parents]
        for key, (step, spec) in checks.items()
        if (parents := [key for key in reads(spec) if step_of.get(key, -1) > step])
    }
    assert later == {}


def test_dagster_dev_loads_without_an_activated_virtualenv(tmp_path):
    """`.venv/bin/dagster dev` with a PATH that lacks the virtualenv: the code location still
    loads, reparsing the dbt project with the virtualenv's dbt (`dagster dev` sets
    DAGSTER_IS_DEV_CLI, which makes the project reparse at load)."""
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    from ingest.paths import PROJECT_ROOT

    bare_path = "/usr/bin:/bin"
    assert shutil.which("dbt", path=bare_path) is None, "dbt is on the bare PATH: no test"
    env = {
        "PATH": bare_path,
        "HOME": str(tmp_path),
        "PYTHONPATH": str(PROJECT_ROOT),
        "LEADWH_HOME": str(tmp_path / "home"),
        "DAGSTER_HOME": str(tmp_path),
        "DAGSTER_IS_DEV_CLI": "1",
    }
    dagster = Path(sys.executable).parent / "dagster"
    result = subprocess.run(
        [str(dagster), "definitions", "validate", "-w", "workspace.yaml"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert "Validation successful for code location leadwarehouse" in output


def test_job_schedule_and_sensor_names_stay_what_the_ui_and_readme_show():
    definitions = defs()
    jobs = {j.name for j in definitions.resolve_all_job_defs()} - {"__ASSET_JOB"}
    assert {"ingest", "transform", "build_all", "ops_alerts", "retention_purge"} <= jobs
    assert {j for j in jobs if j.startswith("export_")} == {
        "export_delivery_daily",
        "export_leads_last_24h",
        "export_source_scorecard",
        "export_supplier_pnl",
    }
    assert {s.name for s in definitions.schedules} == {
        "daily_build",
        "ops_alerts_schedule",
        "retention_purge_schedule",
        "export_delivery_daily_schedule",
        "export_leads_last_24h_schedule",
        "export_supplier_pnl_schedule",
        "object_store_full_sweep",
        "leadconduit_pull",
        "leadconduit_reconcile",
    }
    assert {s.name for s in definitions.sensors} == {
        "landing_zone_sensor",
        "object_store_sync_sensor",
    }
