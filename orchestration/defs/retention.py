"""Retention: the `retention_purge` job and its schedule (config/retention.yaml, logic in
ingest/ops/retention.py). Its runs are recorded on the asset ops/retention_log (what was deleted).

A job rather than an executable asset, so that `build_all` and `transform` (every asset) never
purge: it runs on its schedule, or from the UI (Jobs -> retention_purge; `dry_run: true` in the
launchpad only counts).
"""

from datetime import date

import dagster as dg

from ingest.ops.config import ConfigError, RetentionConfig, load_retention
from ingest.ops.retention import purge
from orchestration.defs.resources import WarehouseResource
from orchestration.names import (
    RAW_EVENTS,
    RAW_SUBMISSIONS,
    RETENTION_JOB,
    RETENTION_LOG,
    TRIGGER_TAG,
    WAREHOUSE_POOL,
)

retention_log = dg.AssetSpec(
    RETENTION_LOG,
    group_name="ops",
    deps=[RAW_EVENTS, RAW_SUBMISSIONS],
    kinds={"duckdb"},
    description="What the retention purge deleted from the raw tables: ops.retention_log (one "
    "row per dataset and purge) and ops.retention_files (per file). Written by retention_purge.",
)


class PurgeConfig(dg.Config):
    """dry_run: count and record, delete nothing. today: purge as of this day (YYYY-MM-DD,
    default: today, UTC)."""

    dry_run: bool = False
    today: str = ""


@dg.op(pool=WAREHOUSE_POOL, description="Delete raw rows older than each dataset's keep_days.")
def purge_raw(
    context: dg.OpExecutionContext, config: PurgeConfig, warehouse: WarehouseResource
) -> None:
    settings = load_retention()
    paths = warehouse.paths
    today = date.fromisoformat(config.today) if config.today else None
    with warehouse.connect() as con:
        report = purge(
            con,
            settings,
            today=today,
            landing_dir=paths.landing,
            run_id=context.run.run_id,
            dry_run=config.dry_run,
        )
    for d in report.datasets:
        context.log.info(
            f"{d.dataset}: {'would delete' if report.dry_run else 'deleted'} {d.rows_deleted}"
            f" rows dated before {d.cutoff_date} (keep {d.keep_days} days), "
            f"{len(d.emptied)} files emptied, {len(d.landing_deleted)} landing files deleted"
        )
    context.log_event(dg.AssetMaterialization(asset_key=RETENTION_LOG, metadata=report.summary()))


@dg.job(
    name=RETENTION_JOB,
    description="Purge raw events and submissions older than their retention "
    "(config/retention.yaml); marts, exports, manifest and quarantine are kept.",
)
def retention_purge():
    purge_raw()


@dg.definitions
def defs() -> dg.Definitions:
    try:
        settings = load_retention()
    except ConfigError as exc:  # the purge's runs fail on it (deleting nothing) until it is fixed
        dg.get_dagster_logger().error(f"{exc} (the purge keeps its default schedule)")
        settings = RetentionConfig(datasets=())
    schedules = []
    if settings.schedule:
        schedules.append(
            dg.ScheduleDefinition(
                name="retention_purge_schedule",
                cron_schedule=settings.schedule,
                execution_timezone="UTC",
                job=retention_purge,
                default_status=dg.DefaultScheduleStatus.RUNNING,
                tags={TRIGGER_TAG: "retention_purge_schedule"},
                description=f"Purge raw data past its retention ({settings.schedule}, UTC).",
            )
        )
    return dg.Definitions(assets=[retention_log], jobs=[retention_purge], schedules=schedules)
