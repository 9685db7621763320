"""The Dagster code location loads and forms one connected asset graph."""

import os

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


def test_one_dbt_step_builds_every_model_and_declares_every_test():
    """A run starts dbt once: every model and seed is an asset of the one dbt set, partitioned
    by day, and every dbt test is one of its checks (so the checks a run declares are the tests
    its one dbt command runs, none is left without a result)."""
    import json

    from orchestration.defs.dbt import dbt_models
    from orchestration.defs.project import dbt_project
    from orchestration.partitions import daily_partitions

    manifest = json.loads(dbt_project.manifest_path.read_text())
    nodes = manifest["nodes"].values()
    built = [n for n in nodes if n["resource_type"] in ("model", "seed")]
    # an ephemeral model is a CTE inside the models that use it: no table, no asset
    assert len(dbt_models.keys) == sum(n["config"]["materialized"] != "ephemeral" for n in built)
    assert {key.path[-1] for key in dbt_models.keys} >= {"fct_lead_events", "dim_flows"}
    assert dbt_models.partitions_def == daily_partitions
    tests = {n["name"] for n in nodes if n["resource_type"] == "test"}
    assert len(tests) > 100
    assert {key.name for key in dbt_models.check_keys} == tests
    graph = defs().resolve_asset_graph()
    assert {graph.get(key).assets_def.op.name for key in dbt_models.keys} == {"dbt_models"}


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


def test_the_manifest_is_parsed_again_only_when_the_project_changed():
    """Every run `dagster dev` launches loads the code location again; it starts dbt to parse
    only when a project file changed since the last parse."""

    from orchestration.defs.project import (
        DBT_PROJECT_DIR,
        dbt_project,
        manifest_is_current,
        prepare,
    )

    prepare()
    assert manifest_is_current()
    parsed_at = dbt_project.manifest_path.stat().st_mtime_ns
    prepare()
    assert dbt_project.manifest_path.stat().st_mtime_ns == parsed_at  # dbt did not run

    model = DBT_PROJECT_DIR.parent / "models" / "marts" / "fct_leads.sql"
    stat = model.stat()
    os.utime(model, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    try:
        assert not manifest_is_current()
    finally:
        os.utime(model, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert manifest_is_current()


def test_only_the_newest_dbt_invocation_folders_are_kept(tmp_path):
    from orchestration.defs.project import prune_invocation_targets

    target = tmp_path / "target"
    names = [f"dbt_models-{i:07x}-abcdef{i % 10}" for i in range(25)]
    for i, name in enumerate(names):  # one folder per dbt invocation, the oldest first
        (target / name / "compiled").mkdir(parents=True)
        (target / name / "run_results.json").write_text("{}")
        os.utime(target / name, ns=(i * 10**9, i * 10**9))
    others = ["manifest.json", "partial_parse.msgpack", "compiled", "duckdb", "not-a-run-1234567"]
    for name in others:
        (target / name).mkdir() if "." not in name else (target / name).write_text("x")

    deleted = prune_invocation_targets(target, keep=20)
    assert sorted(p.name for p in deleted) == names[:5]
    assert sorted(p.name for p in target.iterdir()) == sorted(names[5:] + others)
    assert prune_invocation_targets(target, keep=20) == []
    assert prune_invocation_targets(tmp_path / "missing") == []
