"""dbt models, seeds and tests as Dagster assets and asset checks."""


import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration.dbt_translator import LeadWarehouseTranslator
from orchestration.defs.project import dbt_project
from orchestration.defs.resources import WarehouseResource


@dbt_assets(manifest=dbt_project.manifest_path, project=dbt_project, dagster_dbt_translator=LeadWarehouseTranslator())
def dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    """`dbt build` of the selected models and seeds, with their data and unit tests."""
    warehouse.export_home_to_env()
    yield from dbt.cli(["build"], context=context).stream()


MART_KEYS = [key for key in dbt_models.keys if key.path[0] == "marts"]
