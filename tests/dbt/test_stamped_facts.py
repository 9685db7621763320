"""The stamped facts are declared once (`meta: {stamped: true}` in the marts' YAML), and the data
tests of exactly those models declare the scoping of windowed builds (`where:
__rows_of_this_run__`, dbt_project/macros/rows_of_this_run.sql). Read from dbt's manifest."""

import json

import pytest

from orchestration.defs.project import dbt_project

PLACEHOLDER = "__rows_of_this_run__"


@pytest.fixture(scope="module")
def manifest():
    return json.loads(dbt_project.manifest_path.read_text())


def stamped_models(manifest) -> dict[str, dict]:
    return {
        uid: node
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] == "model" and node["config"].get("meta", {}).get("stamped")
    }


def test_each_stamped_model_is_incremental_on_one_key_and_declares_built_at(manifest):
    stamped = stamped_models(manifest)
    assert {node["name"] for node in stamped.values()} == {
        "fct_lead_events",
        "fct_leads",
        "fct_deliveries",
        "fct_feedback",
    }
    for node in stamped.values():
        assert node["config"]["materialized"] == "incremental", node["name"]
        assert isinstance(node["config"]["unique_key"], str), node["name"]
        assert node["columns"]["built_at"]["data_type"] == "timestamp", node["name"]


def test_the_tests_of_the_stamped_models_and_only_those_are_scoped_to_this_run(manifest):
    """Every test a windowed build runs on a stamped fact checks that run's rows; the facts' keys
    checked against the dimensions run in the dimensions' step (meta.dagster.ref), never over a
    window; no other test mentions the placeholder (its models have no built_at)."""
    stamped = set(stamped_models(manifest))
    unscoped, misplaced = [], []
    for node in manifest["nodes"].values():
        if node["resource_type"] != "test":
            continue
        scoped = PLACEHOLDER in (node["config"].get("where") or "")
        attached = node.get("attached_node")
        ref = node["config"].get("meta", {}).get("dagster", {}).get("ref", {}).get("name")
        rehomed = ref is not None and ref != manifest["nodes"].get(attached, {}).get("name")
        on_stamped = attached in stamped and not rehomed
        if on_stamped and not scoped:
            unscoped.append(node["name"])
        if scoped and not on_stamped:
            misplaced.append(node["name"])
    assert unscoped == [] and misplaced == []
    scoped_facts = {
        manifest["nodes"][node["attached_node"]]["name"]
        for node in manifest["nodes"].values()
        if PLACEHOLDER in (node["config"].get("where") or "")
    }
    assert scoped_facts == {node["name"] for node in stamped_models(manifest).values()}
