"""dbt's seeds, models and tests as Dagster assets and asset checks: one set, so a run starts
dbt once (one `dbt build`: on Spark one JVM, one export of the sources, one copy back).

The set is partitioned daily on event date, like the incremental facts and aggregates it holds:
a run over a range of partitions builds the window (its dates reach dbt in the environment:
orchestration/partitions.py dbt_window_environment), plus every
event loaded since the previous run (late arrivals). The seeds, staging views, dimensions and
all-time summaries in it (dbt tags `upstream` / `downstream`) ignore the window and are rebuilt
whole by every run; Dagster shows them materialized for the run's partitions. Tests are checks of
the model built last among those they read (orchestration/dbt_translator.py).

dbt runs on the configured engine (orchestration/defs/engine.py: on Spark, dbt's sources are
exported to Parquet before and the marts it built copied back into the warehouse after).
"""

from datetime import date

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from ingest.landing.clock import check_clock
from orchestration.dbt_translator import LeadWarehouseTranslator
from orchestration.defs.engine import run_dbt
from orchestration.defs.project import dbt_project
from orchestration.defs.resources import WarehouseResource
from orchestration.names import WAREHOUSE_POOL
from orchestration.partitions import (
    DBT_BUILD_ARGS,
    OPEN_END,
    OPEN_START,
    daily_partitions,
    dbt_vars_for_window,
    dbt_window_environment,
)


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=LeadWarehouseTranslator(),
    pool=WAREHOUSE_POOL,
    name="dbt_models",
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
)
def dbt_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
):
    """`dbt build` of the run's selection over its partition window."""
    with warehouse.connect() as con:  # with the clock set back, built_at would go back too
        check_clock(con)
    warehouse.export_home_to_env()
    window_vars = run_window(context)
    context.log.info(f"dbt window: {window_vars}")
    yield from run_dbt(
        context, dbt, warehouse, list(DBT_BUILD_ARGS), dbt_window_environment(window_vars)
    )


def run_window(context: dg.AssetExecutionContext) -> dict[str, str]:
    """The dbt window of the run's partitions; every date for a run that has none (dbt's tests
    executed alone from the UI: they read whole tables and build nothing)."""
    if not (context.has_partition_key or context.has_partition_key_range):
        return dbt_vars_for_window(OPEN_START, OPEN_END, OPEN_START, OPEN_END)
    window = context.partition_time_window
    keys = daily_partitions.get_partition_keys()
    return dbt_vars_for_window(
        window.start.date(),
        window.end.date(),
        date.fromisoformat(keys[0]),
        date.fromisoformat(keys[-1]),
    )


MART_KEYS = [key for key in dbt_models.keys if key.path[0] == "marts"]
