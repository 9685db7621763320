"""Jobs people launch from the UI or the CLI."""

import dagster as dg

build_all = dg.define_asset_job(
    "build_all",
    selection=dg.AssetSelection.all(),
    description="Land new files, parse, build and test every dbt model, publish the serving file.",
)
