"""Publish the marts to the serving file that dashboards, SQL users and exports read."""

import dagster as dg

from ingest.publish import publish
from orchestration.defs.dbt import MART_KEYS
from orchestration.defs.typed import TYPED_LEADS
from orchestration.defs.resources import WarehouseResource


@dg.asset(
    key=["serving", "serving_database"],
    group_name="serving",
    deps=[*MART_KEYS, TYPED_LEADS],
    kinds={"duckdb"},
    description="The marts and the typed leads (date of birth masked) copied to the serving file,"
    " swapped in atomically with a version stamp.",
)
def serving_database(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    paths = warehouse.paths
    result = publish(paths.warehouse, paths.serving)
    context.log.info(f"published version {result.version} to {result.path}")
    return dg.MaterializeResult(
        metadata={
            "version": result.version,
            "path": dg.MetadataValue.path(str(result.path)),
            "tables": len(result.tables),
            **{name: rows for name, rows in result.tables.items()},
        }
    )
