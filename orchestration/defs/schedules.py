"""Schedules: the daily build of the previous day, and the hourly alert evaluation.

Today is kept current by the landing sensor (orchestration/defs/sensors.py); the daily run lands
anything still pending and rebuilds yesterday's partition (plus any late events loaded since)
once the day is complete. The export and retention schedules are defined from their config files
(orchestration/defs/exports.py, orchestration/defs/retention.py).
"""

from datetime import UTC, timedelta

import dagster as dg

from ingest.ops.config import load_alerts
from orchestration.dead_runs import release_dead_runs
from orchestration.defs.alerts import ops_alerts_job
from orchestration.defs.jobs import build_all
from orchestration.defs.sensors import IN_PROCESS

DAILY_BUILD_CRON = "30 0 * * *"
TRIGGER_TAG = "leadwh/trigger"


@dg.schedule(
    name="daily_build",
    cron_schedule=DAILY_BUILD_CRON,
    execution_timezone="UTC",
    job=build_all,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="00:30 UTC: land anything pending and build the previous day's partition.",
)
def daily_build(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    release_dead_runs(context.instance, context.log.warning)  # a killed run would block for ever
    day = (context.scheduled_execution_time.astimezone(UTC) - timedelta(days=1)).date()
    return dg.RunRequest(
        run_key=f"daily-{day.isoformat()}",
        partition_key=day.isoformat(),
        run_config={"execution": IN_PROCESS},
        tags={TRIGGER_TAG: "daily_build"},
    )


def alerts_schedule(cron: str) -> dg.ScheduleDefinition:
    return dg.ScheduleDefinition(
        name="ops_alerts_schedule",
        cron_schedule=cron,
        execution_timezone="UTC",
        job=ops_alerts_job,
        run_config={"execution": IN_PROCESS},
        default_status=dg.DefaultScheduleStatus.RUNNING,
        tags={TRIGGER_TAG: "ops_alerts_schedule"},
        description="Re-evaluate the alert rules (freshness included) even when nothing lands.",
    )


@dg.definitions
def defs() -> dg.Definitions:
    schedules = [daily_build]
    cron = load_alerts().schedule
    if cron:
        schedules.append(alerts_schedule(cron))
    return dg.Definitions(schedules=schedules)
