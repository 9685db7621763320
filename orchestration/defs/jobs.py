"""Jobs people launch from the UI or the CLI."""

import dagster as dg

INGEST = dg.AssetSelection.groups("landing", "typed")

ingest_job = dg.define_asset_job(
    "ingest",
    selection=INGEST,
    description="Land new files from the landing zone and parse the leads by type.",
)

transform_job = dg.define_asset_job(
    "transform",
    selection=dg.AssetSelection.all() - INGEST,
    description="dbt build (seeds, staging, the partition window's facts and aggregates, "
    "dimensions) and publish the serving file. Pick a partition range to backfill.",
)

build_all = dg.define_asset_job(
    "build_all",
    selection=dg.AssetSelection.all(),
    description="Land, parse, build and test every dbt model, publish the serving file.",
)
