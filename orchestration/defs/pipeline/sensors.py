"""The landing sensor: near-real-time ingest and incremental build of new landing files.

Dagster's daemon starts a tick of it every 5 s; a tick that finds nothing new keeps looking at the
landing zone for `LEADWH_SENSOR_WATCH_SECONDS` (default 4, every quarter second), so a file is
seen within a fraction of a second (logic in ingest/landing/watch.py). For the oldest batch of
files that arrived since its cursor and have settled (renamed into place after their last write,
or unwritten for `LEADWH_SETTLE_SECONDS`, default 2), it launches one run: the landing step
reads exactly those files (run config), and the dbt assets build the partition range of the dates
in them (the `dagster/asset_partition_range_*` tags), as `leadwh build` does. The run is
`build_all` when dbt's data tests are due (none ran in the last `LEADWH_DATA_TESTS_MINUTES`,
default 15), else `fresh_build`: the same without them (212 checks: a third of a small batch's
time). One run key per batch; the cursor records what was requested, so no file version
is requested twice. While two of its runs are queued or running it waits, and the files that
arrive meanwhile go into the next, larger batch; runs whose process died (killed, power loss) are
marked failed and their pool slots freed first, so they neither count nor block. The time from a
file's arrival to the publish of its events is reported on the serving asset
(`landing_to_serving_seconds`).
"""

import hashlib
from datetime import UTC, datetime, timedelta

import dagster as dg

from ingest.landing.watch import (
    WatchCursor,
    advance,
    batch_dates,
    batch_files,
    initial_cursor,
    take_batch,
    wait_for_arrivals,
)
from ingest.settings import get_settings
from orchestration.dead_runs import host_tag, release_dead_runs
from orchestration.defs.pipeline.jobs import build_all, fresh_build, ingest_job, transform_job
from orchestration.defs.resources import WarehouseResource
from orchestration.names import (
    BATCH_FILES_TAG,
    FIRST_ARRIVAL_TAG,
    IN_FLIGHT,
    IN_PROCESS,
    RANGE_END,
    RANGE_START,
    TRIGGER_TAG,
)
from orchestration.names import LANDING_SENSOR as SENSOR_NAME
from orchestration.partitions import (
    MAX_INCREMENTAL_DAYS,
    daily_partitions,
    partition_range_for_dates,
)

MAX_IN_FLIGHT = 2


INTERVAL_SECONDS = get_settings().sensor_interval  # the sensor's definition needs it at load


def data_tests_due(instance: dg.DagsterInstance, minutes: float, now: datetime) -> bool:
    """Whether the next run should run dbt's data tests: always when `minutes` is 0, else when
    no run that runs them (build_all, transform: the sensor's, `leadwh build`'s, the daily
    build's) was created in the last `minutes` minutes."""
    if minutes <= 0:
        return True
    since = now - timedelta(minutes=minutes)
    return not any(
        instance.get_runs_count(filters=dg.RunsFilter(job_name=job, created_after=since))
        for job in (build_all.name, transform_job.name)
    )


def batch_run_request(
    landing, batch, new_cursor: WatchCursor, data_tests: bool = True
) -> dg.RunRequest:
    """The run for one batch: build_all over the batch's partition range, or fresh_build (the
    same without dbt's data tests) when `data_tests` is false; the ingest job alone when none of
    its records can be read (they only need to reach the quarantine)."""
    files = batch_files(batch)
    first = min(a.arrived_ns for a in batch)
    digest = hashlib.sha1("\n".join(sorted(a.key for a in batch)).encode()).hexdigest()[:10]
    tags = {
        TRIGGER_TAG: SENSOR_NAME,
        FIRST_ARRIVAL_TAG: datetime.fromtimestamp(first / 1e9, tz=UTC).isoformat(),
        BATCH_FILES_TAG: str(len(batch)),
        **host_tag(),
    }
    dates = batch_dates(landing, batch)
    if dates:
        start, end = partition_range_for_dates(
            *dates, daily_partitions, max_days=MAX_INCREMENTAL_DAYS
        )
        tags.update({RANGE_START: start, RANGE_END: end})
    return dg.RunRequest(
        run_key=f"landing-{new_cursor.arrived_ns}-{digest}",
        job_name=(build_all if data_tests else fresh_build).name if dates else ingest_job.name,
        run_config={"ops": {"raw_landing": {"config": files}}, "execution": IN_PROCESS},
        tags=tags,
    )


@dg.sensor(
    name=SENSOR_NAME,
    jobs=[build_all, fresh_build, ingest_job],
    minimum_interval_seconds=INTERVAL_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="New files in the landing zone (Firehose JSON, NDJSON, CSV events and "
    "submissions) -> one build_all run per batch over the partitions they touch.",
)
def landing_zone_sensor(context: dg.SensorEvaluationContext, warehouse: WarehouseResource):
    paths = warehouse.paths
    cursor = WatchCursor.from_json(context.cursor)
    if cursor is None:
        cursor = initial_cursor(paths.serving)
        context.log.info(f"starting to watch {paths.landing} (cursor {cursor.to_json()})")
    settings = get_settings()
    arrivals = wait_for_arrivals(
        paths.landing, cursor, settings.settle_seconds, settings.sensor_watch_seconds
    )
    if not arrivals:
        return dg.SensorResult(
            skip_reason=f"no new files in {paths.landing}", cursor=cursor.to_json()
        )
    release_dead_runs(context.instance, context.log.warning)  # a killed run would block for ever
    in_flight = context.instance.get_runs_count(
        filters=dg.RunsFilter(tags={TRIGGER_TAG: SENSOR_NAME}, statuses=IN_FLIGHT)
    )
    if in_flight >= MAX_IN_FLIGHT:
        return dg.SensorResult(
            skip_reason=f"{len(arrivals)} new files wait for one of {in_flight} runs to finish",
            cursor=cursor.to_json(),
        )
    batch = take_batch(arrivals)
    new_cursor = advance(cursor, batch)
    tests = data_tests_due(context.instance, settings.data_tests_minutes, datetime.now(tz=UTC))
    request = batch_run_request(paths.landing, batch, new_cursor, tests)
    context.log.info(
        f"batch of {len(batch)} files ({len(arrivals) - len(batch)} more waiting): "
        f"{request.job_name} {request.tags.get(RANGE_START, '')}..{request.tags.get(RANGE_END, '')}"
    )
    return dg.SensorResult(run_requests=[request], cursor=new_cursor.to_json())


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(sensors=[landing_zone_sensor])
