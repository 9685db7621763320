"""Publish the marts to the serving file that dashboards, SQL users and exports read."""

from datetime import UTC, datetime

import dagster as dg

from ingest.serving.publish import PUBLISHED, publish, stamped_tables
from orchestration.defs.dbt import MART_KEYS
from orchestration.defs.project import dbt_project
from orchestration.defs.resources import WarehouseResource
from orchestration.names import ALERTS, FIRST_ARRIVAL_TAG, SERVING, TYPED_LEADS, WAREHOUSE_POOL

# The ops schema (alerts, retention log) is served with the marts.
SERVED_SCHEMAS = {**PUBLISHED, "ops": frozenset()}


@dg.asset(
    key=SERVING,
    group_name="serving",
    deps=[*MART_KEYS, TYPED_LEADS, ALERTS],
    kinds={"duckdb"},
    pool=WAREHOUSE_POOL,
    description="The marts and the typed leads (date of birth masked) copied to the serving file,"
    " swapped in atomically with a version stamp; the big tables by the rows built since the"
    " previous version.",
)
def serving_database(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    paths = warehouse.paths
    stamped = stamped_tables(dbt_project.manifest_path)
    result = publish(paths.warehouse, paths.serving, SERVED_SCHEMAS, stamped)
    how = "incremental" if result.incremental else "full"
    context.log.info(f"published version {result.version} ({how}) to {result.path}")
    latency = {}
    first_arrival = context.run.tags.get(FIRST_ARRIVAL_TAG)
    if first_arrival:  # a landing sensor's run: how long its files took to reach readers
        arrived = datetime.fromisoformat(first_arrival)
        seconds = (result.published_at.replace(tzinfo=UTC) - arrived).total_seconds()
        latency = {"landing_to_serving_seconds": round(seconds, 1)}
        context.log.info(f"landing -> serving latency: {seconds:.1f} s")
    return dg.MaterializeResult(
        metadata={
            **latency,
            "version": result.version,
            "path": dg.MetadataValue.path(str(result.path)),
            "tables": len(result.tables),
            "incremental": result.incremental,
            "rows_written": sum(result.written.values()),
            "tables_by_new_rows": ", ".join(sorted(result.by_delta)) or "none",
            **{name: rows for name, rows in result.tables.items()},
        }
    )
