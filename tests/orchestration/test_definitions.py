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
