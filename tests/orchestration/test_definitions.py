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
    assert len(step_of) == sum(n["resource_type"] in ("model", "seed") for n in nodes)
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
