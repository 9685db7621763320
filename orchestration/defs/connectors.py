"""Connectors to a LeadConduit account (logic in ingest/connectors/).

- ``connectors/object_store_mirror``: copies new and changed objects of ``LEADWH_EVENTS_URL`` /
  ``LEADWH_SUBMISSIONS_URL`` (an S3 Firehose) into the landing zone. The sensor
  ``object_store_sync_sensor`` runs a *recent* sync every minute; the schedule
  ``object_store_full_sweep`` a full one daily (feedback under old leads); ``leadwh build`` a full
  one before landing. Both are stopped unless a URL is an object store when the code loads.
- ``connectors/leadconduit_events_api``: pulls new events from the Events API into the landing
  zone; the schedule ``leadconduit_pull`` every 5 minutes, stopped unless
  ``LEADWH_LEADCONDUIT_API_KEY`` is set. Its check ``reconciles_with_events_stats`` (schedule
  ``leadconduit_reconcile``, daily) compares a closed day's counts per type and outcome with the
  API's ``/events/stats`` and warns on a difference.

The landing sensor then lands what they wrote. None of these write the warehouse: they run outside
the warehouse pool, beside builds.
"""

from collections.abc import Callable
from datetime import date, timedelta

import dagster as dg

from ingest.connectors.events_api import ApiError, EventsApi, pull_events
from ingest.connectors.object_store import ConnectorError, configured_sources, sync_all
from ingest.connectors.reconcile import closed_window, differences, warehouse_counts
from ingest.connectors.state import Busy
from ingest.settings import get_settings
from orchestration.defs.resources import WarehouseResource
from orchestration.names import (
    CONNECTOR_EVENTS_API,
    CONNECTOR_MIRROR,
    CONNECTORS_GROUP,
    EVENTS_API_PULL_JOB,
    IN_FLIGHT,
    IN_PROCESS,
    OBJECT_STORE_SYNC_JOB,
    TRIGGER_TAG,
    WAREHOUSE_POOL,
)

SYNC_SENSOR = "object_store_sync_sensor"
FULL_SWEEP_SCHEDULE = "object_store_full_sweep"
PULL_SCHEDULE = "leadconduit_pull"
RECONCILE_SCHEDULE = "leadconduit_reconcile"
RECONCILE_JOB = "leadconduit_reconcile"


def _object_store_configured(warehouse: WarehouseResource | None = None) -> bool:
    paths = warehouse.paths if warehouse else None
    if paths is None:
        from ingest.paths import get_paths

        paths = get_paths()
    try:
        return bool(configured_sources(get_settings(), paths))
    except ConnectorError:  # a URL that cannot be used: the sync's run says why
        return True


def _api_configured() -> bool:
    return bool(get_settings().leadconduit_api_key.get_secret_value())


def _status(on: bool):
    return dg.DefaultSensorStatus.RUNNING if on else dg.DefaultSensorStatus.STOPPED


def _schedule_status(on: bool):
    return dg.DefaultScheduleStatus.RUNNING if on else dg.DefaultScheduleStatus.STOPPED


# --------------------------------------------------------------------------- object stores


class SyncConfig(dg.Config):
    """`recent`: list only leads created in the last LEADWH_FIREHOSE_RECENT_HOURS (the sensor's
    tick); off (the default): a full sweep of every key."""

    recent: bool = False


@dg.asset(
    key=CONNECTOR_MIRROR,
    group_name=CONNECTORS_GROUP,
    kinds={"s3", "python"},
    description="New and changed objects of LEADWH_EVENTS_URL / LEADWH_SUBMISSIONS_URL (an S3 "
    "Firehose) copied into the landing zone; the landing sensor lands them.",
)
def object_store_mirror(
    context: dg.AssetExecutionContext, config: SyncConfig, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    settings = get_settings()
    paths = warehouse.paths
    try:
        configured = configured_sources(settings, paths)
    except ConnectorError as exc:
        raise dg.Failure(str(exc)) from None
    if not configured:
        return dg.MaterializeResult(
            metadata={"configured": False, "note": "LEADWH_EVENTS_URL is the landing folder"}
        )
    try:
        reports = sync_all(settings, paths, recent=config.recent, log=context.log.info)
    except (Busy, ConnectorError) as exc:
        raise dg.Failure(str(exc)) from None
    metadata: dict = {"configured": True}
    for report in reports:
        metadata.update({f"{report.dataset}_{k}": v for k, v in report.summary().items()})
        if report.ignored_keys:
            metadata[f"{report.dataset}_ignored_keys"] = dg.MetadataValue.json(report.ignored_keys)
    failed = [r for r in reports if r.failed]
    if failed:
        errors = [e for r in failed for e in r.errors]
        raise dg.Failure(
            f"{sum(r.failed for r in failed)} objects could not be read (the credential needs "
            f"s3:GetObject); first: {errors[0]}",
            metadata={**metadata, "errors": dg.MetadataValue.json(errors)},
        )
    return dg.MaterializeResult(metadata=metadata)


object_store_sync_job = dg.define_asset_job(
    OBJECT_STORE_SYNC_JOB,
    selection=dg.AssetSelection.assets(CONNECTOR_MIRROR),
    description="Copy new objects from the object store (LEADWH_EVENTS_URL) to the landing zone.",
)


def _sync_request(recent: bool, trigger: str, run_key: str | None = None) -> dg.RunRequest:
    return dg.RunRequest(
        run_key=run_key,
        run_config={
            "ops": {"connectors__object_store_mirror": {"config": {"recent": recent}}},
            "execution": IN_PROCESS,
        },
        tags={TRIGGER_TAG: trigger},
    )


@dg.sensor(
    name=SYNC_SENSOR,
    job=object_store_sync_job,
    minimum_interval_seconds=60,
    default_status=_status(_object_store_configured()),
    description="Every minute: copy the object store's recent leads (LEADWH_EVENTS_URL) into the "
    "landing zone. Off unless LEADWH_EVENTS_URL is an object store.",
)
def object_store_sync_sensor(context: dg.SensorEvaluationContext, warehouse: WarehouseResource):
    if not _object_store_configured(warehouse):
        return dg.SkipReason("LEADWH_EVENTS_URL / LEADWH_SUBMISSIONS_URL are local folders")
    in_flight = context.instance.get_runs_count(
        filters=dg.RunsFilter(job_name=OBJECT_STORE_SYNC_JOB, statuses=IN_FLIGHT)
    )
    if in_flight:
        return dg.SkipReason("a sync is still running")
    return _sync_request(True, SYNC_SENSOR)


@dg.schedule(
    name=FULL_SWEEP_SCHEDULE,
    cron_schedule="10 0 * * *",
    execution_timezone="UTC",
    job=object_store_sync_job,
    default_status=_schedule_status(_object_store_configured()),
    description="00:10 UTC: list every key of the object store (feedback arrives weeks later "
    "under old leads) and copy what is new or changed.",
)
def object_store_full_sweep(context: dg.ScheduleEvaluationContext):
    if not _object_store_configured():
        return dg.SkipReason("LEADWH_EVENTS_URL / LEADWH_SUBMISSIONS_URL are local folders")
    day = context.scheduled_execution_time.date().isoformat()
    return _sync_request(False, FULL_SWEEP_SCHEDULE, run_key=f"full-sweep-{day}")


def sync_before_build(definitions: dg.Definitions, instance, log: Callable[[str], None]) -> bool:
    """`leadwh build`: a full sync first when a URL is an object store (recorded as a run)."""
    if not _object_store_configured():
        return True
    from orchestration.dead_runs import owner_tags

    request = _sync_request(False, "cli")
    result = definitions.resolve_job_def(OBJECT_STORE_SYNC_JOB).execute_in_process(
        instance=instance,
        run_config=request.run_config,
        tags={**request.tags, **owner_tags()},
        raise_on_error=False,
    )
    for materialization in result.asset_materializations_for_node(
        "connectors__object_store_mirror"
    ):
        meta = {k: v.value for k, v in materialization.metadata.items()}
        for dataset in ("events", "submissions"):
            if f"{dataset}_copied" in meta:
                log(
                    f"synced {meta[f'{dataset}_source']}: {meta[f'{dataset}_copied']} objects "
                    f"copied, {meta[f'{dataset}_unchanged']} unchanged, "
                    f"{meta[f'{dataset}_ignored']} ignored"
                )
    if not result.success:
        log(
            "the object-store sync failed (see the Dagster UI or the log above): the files already"
            " in the landing zone are built, and the build fails at its end"
        )
    return result.success


# --------------------------------------------------------------------------- the Events API


class PullConfig(dg.Config):
    """`since` (YYYY-MM-DD): where the first pull starts (later pulls resume at their cursor).
    Empty: everything the API keeps (about 90 days)."""

    since: str = ""


@dg.asset(
    key=CONNECTOR_EVENTS_API,
    group_name=CONNECTORS_GROUP,
    kinds={"python"},
    description="New events from LeadConduit's Events API (LEADWH_LEADCONDUIT_URL) written to "
    "landing/events/api as NDJSON; the landing sensor lands them.",
)
def leadconduit_events_api(
    context: dg.AssetExecutionContext, config: PullConfig, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    settings = get_settings()
    key = settings.leadconduit_api_key.get_secret_value()
    if not key:
        raise dg.Failure("set LEADWH_LEADCONDUIT_API_KEY to pull from LeadConduit's Events API")
    since = date.fromisoformat(config.since) if config.since else None
    try:
        with EventsApi(settings.leadconduit_url, key, log=context.log.info) as api:
            report = pull_events(
                api,
                warehouse.paths,
                since=since,
                overlap_minutes=settings.pull_overlap_minutes,
                log=context.log.info,
            )
    except (ApiError, Busy) as exc:
        raise dg.Failure(str(exc)) from None
    return dg.MaterializeResult(metadata=report.summary())


@dg.asset_check(
    asset=CONNECTOR_EVENTS_API,
    name="reconciles_with_events_stats",
    blocking=False,
    pool=WAREHOUSE_POOL,
    description="Event counts per type and outcome of the last closed UTC day: raw.lead_events "
    "against the Events API's /events/stats (WARN on a difference).",
)
def reconciles_with_events_stats(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    settings = get_settings()
    start, end = closed_window()
    key = settings.leadconduit_api_key.get_secret_value()
    with EventsApi(settings.leadconduit_url, key) as api:
        # /events/stats bounds are inclusive; the warehouse window is [start, end)
        api_counts = api.stats(start, end - timedelta(milliseconds=1))
    with warehouse.connect() as con:
        wh_counts = warehouse_counts(con, start, end)
    diffs = differences(api_counts, wh_counts)
    return dg.AssetCheckResult(
        passed=not diffs,
        severity=dg.AssetCheckSeverity.WARN,
        description=None
        if not diffs
        else f"{len(diffs)} (type, outcome) counts differ from LeadConduit's for {start:%Y-%m-%d}",
        metadata={
            "window_start": start.isoformat(),
            "window_end": end.isoformat(),
            "api_events": sum(api_counts.values()),
            "warehouse_events": sum(wh_counts.values()),
            "differences": dg.MetadataValue.json(diffs),
        },
    )


events_api_pull_job = dg.define_asset_job(
    EVENTS_API_PULL_JOB,
    selection=dg.AssetSelection.assets(CONNECTOR_EVENTS_API).without_checks(),
    description="Pull new events from LeadConduit's Events API into the landing zone.",
)

reconcile_job = dg.define_asset_job(
    RECONCILE_JOB,
    selection=dg.AssetSelection.checks_for_assets(CONNECTOR_EVENTS_API),
    description="Compare a closed day's event counts with LeadConduit's /events/stats.",
)


@dg.schedule(
    name=PULL_SCHEDULE,
    cron_schedule="*/5 * * * *",
    execution_timezone="UTC",
    job=events_api_pull_job,
    default_status=_schedule_status(_api_configured()),
    description="Every 5 minutes: pull new events from LeadConduit's Events API. Off unless "
    "LEADWH_LEADCONDUIT_API_KEY is set.",
)
def leadconduit_pull(context: dg.ScheduleEvaluationContext):
    if not _api_configured():
        return dg.SkipReason("LEADWH_LEADCONDUIT_API_KEY is not set")
    return dg.RunRequest(run_config={"execution": IN_PROCESS}, tags={TRIGGER_TAG: PULL_SCHEDULE})


@dg.schedule(
    name=RECONCILE_SCHEDULE,
    cron_schedule="0 3 * * *",
    execution_timezone="UTC",
    job=reconcile_job,
    default_status=_schedule_status(_api_configured()),
    description="03:00 UTC: reconcile yesterday's event counts with LeadConduit's /events/stats.",
)
def leadconduit_reconcile(context: dg.ScheduleEvaluationContext):
    if not _api_configured():
        return dg.SkipReason("LEADWH_LEADCONDUIT_API_KEY is not set")
    return dg.RunRequest(tags={TRIGGER_TAG: RECONCILE_SCHEDULE})


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(
        assets=[object_store_mirror, leadconduit_events_api],
        asset_checks=[reconciles_with_events_stats],
        jobs=[object_store_sync_job, events_api_pull_job, reconcile_job],
        sensors=[object_store_sync_sensor],
        schedules=[object_store_full_sweep, leadconduit_pull, leadconduit_reconcile],
    )
