"""The one place where dbt maps onto Dagster: asset keys and groups by dbt layer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtProject

LAYERS = ("staging", "intermediate", "marts")


def layer_of(props: Mapping[str, Any]) -> str:
    """staging | intermediate | marts for models (by folder), reference for seeds."""
    if props.get("resource_type") == "seed":
        return "reference"
    fqn = props.get("fqn") or []
    return next((part for part in fqn[1:] if part in LAYERS), "models")


class LeadWarehouseTranslator(DagsterDbtTranslator):
    """dbt's data tests are asset checks of the model they test, or of the model their YAML names
    in `meta.dagster.ref`: the one built last among those they read, so the Dagster step that
    declares a check is the one whose dbt command runs it. The facts' keys checked against the
    dimensions are checks of the dimensions; the tests of the raw sources are checks of the
    staging views that project them (the raw tables are landing assets, not dbt's)."""

    def __init__(self) -> None:
        super().__init__(
            settings=DagsterDbtTranslatorSettings(
                enable_asset_checks=True, enable_source_tests_as_checks=True
            )
        )

    def get_asset_check_spec(
        self,
        asset_spec: dg.AssetSpec,
        manifest: Mapping[str, Any],
        unique_id: str,
        project: DbtProject | None,
    ) -> dg.AssetCheckSpec | None:
        test = manifest["nodes"][unique_id]
        ref = test["config"].get("meta", {}).get("dagster", {}).get("ref")
        on_sources = all(node.startswith("source.") for node in test["depends_on"]["nodes"])
        if ref and on_sources:  # offered for the source; declared for the staging view instead
            package = ref.get("package") or manifest["metadata"]["project_name"]
            model = f"model.{package}.{ref['name']}"
            asset_spec = self.get_asset_spec(manifest, model, project)
        return super().get_asset_check_spec(asset_spec, manifest, unique_id, project)

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props.get("resource_type") == "source":
            # raw/<table>: the keys of the landing assets, so the graph is one picture.
            return super().get_asset_key(dbt_resource_props)
        return dg.AssetKey([layer_of(dbt_resource_props), dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return layer_of(dbt_resource_props)
