"""The daily build of the previous day.

Today is kept current by the landing sensor (sensors.py beside this file); the daily run lands
anything still pending and rebuilds yesterday's partition (plus any late events loaded since)
once the day is complete. Before it, runs whose process died are released
(orchestration/dead_runs.py). The alert, export and retention schedules live with their jobs
(orchestration/defs/alerts.py, exports.py, retention.py).
"""

from datetime import UTC, timedelta

import dagster as dg

from orchestration.dead_runs import host_tag, release_dead_runs
from orchestration.defs.pipeline.jobs import build_all
from orchestration.names import IN_PROCESS, TRIGGER_TAG

DAILY_BUILD_CRON = "30 0 * * *"


@dg.schedule(
    name="daily_build",
    cron_schedule=DAILY_BUILD_CRON,
    execution_timezone="UTC",
    job=build_all,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="00:30 UTC: land anything pending and build the previous day's partition.",
)
def daily_build(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    if context.instance_ref is not None:  # None only in a test's bare context
        release_dead_runs(context.instance, context.log.warning)  # a killed run blocks for ever
    day = (context.scheduled_execution_time.astimezone(UTC) - timedelta(days=1)).date()
    return dg.RunRequest(
        run_key=f"daily-{day.isoformat()}",
        partition_key=day.isoformat(),
        run_config={"execution": IN_PROCESS},
        tags={TRIGGER_TAG: "daily_build", **host_tag()},
    )


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(schedules=[daily_build])
