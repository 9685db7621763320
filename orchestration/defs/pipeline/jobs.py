"""The pipeline's jobs, launched by the landing sensor, the daily schedule, `leadwh build` or the
UI."""

import dagster as dg

from orchestration.defs.dbt import dbt_models
from orchestration.names import (
    BUILD_ALL_JOB,
    CONNECTORS_GROUP,
    FRESH_BUILD_JOB,
    INGEST_GROUPS,
    INGEST_JOB,
    TRANSFORM_JOB,
)

INGEST = dg.AssetSelection.groups(*INGEST_GROUPS)
# The connectors (orchestration/defs/connectors.py) run in their own jobs.
PIPELINE = dg.AssetSelection.all() - dg.AssetSelection.groups(CONNECTORS_GROUP)

ingest_job = dg.define_asset_job(
    INGEST_JOB,
    selection=INGEST,
    description="Land new files from the landing zone and parse the leads by type.",
)

transform_job = dg.define_asset_job(
    TRANSFORM_JOB,
    selection=PIPELINE - INGEST,
    description="dbt build (seeds, staging, the partition window's facts and aggregates, "
    "dimensions) and publish the serving file. Pick a partition range to backfill.",
)

build_all = dg.define_asset_job(
    BUILD_ALL_JOB,
    selection=PIPELINE,
    description="Land, parse, build and test every dbt model, publish the serving file.",
)

# dbt's data tests: the asset checks of the dbt assets (the other assets' checks stay).
DBT_DATA_TESTS = dg.AssetSelection.checks_for_assets(dbt_models)

fresh_build = dg.define_asset_job(
    FRESH_BUILD_JOB,
    selection=PIPELINE - DBT_DATA_TESTS,
    description="build_all without dbt's data tests: the landing sensor's runs between two that "
    "run them (LEADWH_DATA_TESTS_MINUTES).",
)
