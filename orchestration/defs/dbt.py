"""dbt models, seeds and tests as Dagster assets and asset checks, in three sets, one dbt
tag each (a test of the model of another set runs where all its parents are built):

- upstream (seeds, staging views, and the tests of the raw sources, tag:upstream):
  unpartitioned, cheap, rebuilt every run;
- partitioned (incremental facts and aggregates, tag:partitioned): daily partitions on event
  date; a run covering a range of partitions runs dbt once with the window as --vars;
- downstream (dimensions, the all-time scorecard, tag:downstream): unpartitioned, rebuilt from
  the facts. It also runs the tests that check the facts' keys against the dimensions, which
  Dagster shows as checks of the dimensions (their `meta.dagster.ref` in the marts' YAML), so
  every check a step declares is one its dbt command runs.

Each set runs dbt on the configured engine (orchestration/defs/engine.py: on Spark, dbt's sources
are exported to Parquet before and the marts it built copied back into the warehouse after).
"""

from datetime import date

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration.dbt_translator import LeadWarehouseTranslator
from orchestration.defs.engine import run_dbt
from orchestration.defs.project import dbt_project
from orchestration.defs.resources import WarehouseResource
from orchestration.names import WAREHOUSE_POOL
from orchestration.partitions import daily_partitions, dbt_build_args, dbt_vars_for_window

UPSTREAM = "tag:upstream"
PARTITIONED = "tag:partitioned"
DOWNSTREAM = "tag:downstream"
# What the three sets share: the project, the asset keys, and the warehouse pool (one writer).
DBT_ASSET_OPTIONS = dict(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=LeadWarehouseTranslator(),
    pool=WAREHOUSE_POOL,
)


@dbt_assets(
    **DBT_ASSET_OPTIONS,
    select=UPSTREAM,
    name="dbt_upstream",
)
def dbt_upstream(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
):
    """Seeds and staging views, with their tests."""
    warehouse.export_home_to_env()
    yield from run_dbt(context, dbt, warehouse, dbt_build_args(None))


@dbt_assets(
    **DBT_ASSET_OPTIONS,
    select=PARTITIONED,
    name="dbt_partitioned",
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
)
def dbt_partitioned(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
):
    """Incremental facts and aggregates for the run's partition window, plus every event
    loaded since the previous run (late arrivals)."""
    warehouse.export_home_to_env()
    window = context.partition_time_window
    keys = daily_partitions.get_partition_keys()
    window_vars = dbt_vars_for_window(
        window.start.date(),
        window.end.date(),
        date.fromisoformat(keys[0]),
        date.fromisoformat(keys[-1]),
    )
    context.log.info(f"dbt window: {window_vars}")
    yield from run_dbt(context, dbt, warehouse, dbt_build_args(window_vars))


@dbt_assets(
    **DBT_ASSET_OPTIONS,
    select=DOWNSTREAM,
    name="dbt_downstream",
)
def dbt_downstream(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
):
    """Dimensions and all-time summaries, rebuilt from the facts; every test touching them
    (`eager`, as Dagster selects checks), the facts' keys against the dimensions included."""
    warehouse.export_home_to_env()
    yield from run_dbt(context, dbt, warehouse, dbt_build_args(None, indirect_selection="eager"))


DBT_ASSETS = (dbt_upstream, dbt_partitioned, dbt_downstream)
MART_KEYS = [key for assets in DBT_ASSETS for key in assets.keys if key.path[0] == "marts"]
