"""Publish the marts to the serving file that dashboards, SQL users and exports read."""

from datetime import UTC, datetime

import dagster as dg

from ingest.serving.build_state import published, raw_loaded_through, record_published
from ingest.serving.publish import PUBLISHED, publish, stamped_tables
from ingest.typed.store import watermark
from orchestration.defs.dbt import MART_KEYS, dbt_models
from orchestration.defs.project import dbt_project
from orchestration.defs.resources import WarehouseResource
from orchestration.names import ALERTS, FIRST_ARRIVAL_TAG, SERVING, TYPED_LEADS, WAREHOUSE_POOL

# The ops schema (alerts, retention log) is served with the marts.
SERVED_SCHEMAS = {**PUBLISHED, "ops": frozenset()}


def transform_started(context: dg.AssetExecutionContext) -> datetime | None:
    """When this run's dbt step started (UTC), None when the run built no dbt model."""
    records = context.instance.get_records_for_run(
        context.run.run_id, of_type=dg.DagsterEventType.STEP_START
    ).records
    starts = [
        r.event_log_entry.timestamp
        for r in records
        if r.event_log_entry.step_key == dbt_models.op.name
    ]
    if not starts:
        return None
    return datetime.fromtimestamp(min(starts), tz=UTC).replace(tzinfo=None)


def published_through(con, transform_start: datetime | None):
    """The raw load time this publish holds every record through: what was loaded before its dbt
    models started (and typed), or the previous publish's when this run built no model."""
    if transform_start is None:
        return published(con)[0]
    through = raw_loaded_through(con, until=transform_start)
    typed = watermark(con)
    return through if typed is None or through is None else min(through, typed)


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
    with warehouse.connect() as con:
        through = published_through(con, transform_started(context))
    result = publish(paths.warehouse, paths.serving, SERVED_SCHEMAS, stamped)
    with warehouse.connect() as con:  # only now: a build killed before this point shows a lag
        record_published(con, through, result.version)
    how = "incremental" if result.incremental else "full"
    if result.removed_temporaries:
        context.log.warning(
            f"removed temporary files of killed publishes: {', '.join(result.removed_temporaries)}"
        )
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
