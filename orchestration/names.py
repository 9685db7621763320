"""Names the code location's modules share: asset keys, run tags, the warehouse pool, job names.

A name used by more than one module of ``orchestration/`` is declared here once; names local to
one module stay there. The job, schedule and sensor names are what the Dagster UI, the CLI and the
README show: renaming one breaks run history links and people's habits.
"""

import dagster as dg

# --------------------------------------------------------------------------- asset keys
RAW_EVENTS = dg.AssetKey(["raw", "lead_events"])
RAW_SUBMISSIONS = dg.AssetKey(["raw", "lead_submissions"])
RAW_MANIFEST = dg.AssetKey(["raw", "ingest_manifest"])
RAW_QUARANTINE = dg.AssetKey(["raw", "quarantine"])
TYPED_LEADS = dg.AssetKey(["typed", "leads"])
ALERTS = dg.AssetKey(["ops", "alerts"])
RETENTION_LOG = dg.AssetKey(["ops", "retention_log"])
SERVING = dg.AssetKey(["serving", "serving_database"])
CONNECTOR_MIRROR = dg.AssetKey(["connectors", "object_store_mirror"])
CONNECTOR_EVENTS_API = dg.AssetKey(["connectors", "leadconduit_events_api"])
# exports/<name>: orchestration/defs/exports.py (export_key)


# --------------------------------------------------------------------------- groups
INGEST_GROUPS = ("landing", "typed")
# Connectors write into the landing zone (never the warehouse): their own jobs, not build_all's.
CONNECTORS_GROUP = "connectors"

# --------------------------------------------------------------------------- pool
# Every asset that writes the warehouse file runs in this pool; its limit is 1 (dagster.yaml in
# the Dagster home), so runs launched together queue instead of failing on DuckDB's file lock.
WAREHOUSE_POOL = "warehouse"

# --------------------------------------------------------------------------- jobs
INGEST_JOB = "ingest"
TRANSFORM_JOB = "transform"
BUILD_ALL_JOB = "build_all"
FRESH_BUILD_JOB = "fresh_build"
OPS_ALERTS_JOB = "ops_alerts"
RETENTION_JOB = "retention_purge"
BACKUP_JOB = "warehouse_backup"
LANDING_SENSOR = "landing_zone_sensor"
OBJECT_STORE_SYNC_JOB = "object_store_sync"
EVENTS_API_PULL_JOB = "leadconduit_pull"
# export_<name>: orchestration/defs/exports.py (job_name)


# --------------------------------------------------------------------------- run tags
TRIGGER_TAG = "leadwh/trigger"  # what launched a run: a sensor's or schedule's name, or "cli"
FIRST_ARRIVAL_TAG = "leadwh/first_arrival"  # the landing sensor's batch: its oldest file's arrival
BATCH_FILES_TAG = "leadwh/batch_files"  # ... and its number of files
EXPORT_TAG = "leadwh/export"  # an export job's export name
# Dagster's own: a run over a range of partitions (one dbt invocation for the window).
RANGE_START = "dagster/asset_partition_range_start"
RANGE_END = "dagster/asset_partition_range_end"

# --------------------------------------------------------------------------- run statuses
# A run that has a process, or is getting one.
RUNNING = [
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
]
# A run launched and not finished: queued (waiting for the daemon or a pool slot) or running.
IN_FLIGHT = [dg.DagsterRunStatus.QUEUED, *RUNNING]

# --------------------------------------------------------------------------- run config
# A run's steps run one after the other anyway (the warehouse pool's limit is 1): running them in
# the run's own process saves starting a process and loading the code per step.
IN_PROCESS = {"config": {"in_process": {}}}
