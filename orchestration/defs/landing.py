"""Landing: raw files from the landing zone into the raw schema (logic in ingest/landing/)."""

import dagster as dg

from ingest.landing.land import land
from orchestration.defs.resources import WarehouseResource
from orchestration.names import (
    RAW_EVENTS,
    RAW_MANIFEST,
    RAW_QUARANTINE,
    RAW_SUBMISSIONS,
    WAREHOUSE_POOL,
)

RAW_KEYS = (RAW_EVENTS, RAW_SUBMISSIONS, RAW_MANIFEST, RAW_QUARANTINE)
RAW_TABLES = tuple(key.path[-1] for key in RAW_KEYS)


class LandingConfig(dg.Config):
    """Which files to land. Empty (the default): every new or changed file. The landing sensor
    passes its batch: the files' paths relative to landing/events and landing/submissions."""

    events: list[str] | None = None
    submissions: list[str] | None = None


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            key,
            group_name="landing",
            kinds={"duckdb", "python"},
            description=description,
        )
        for key, description in zip(
            RAW_KEYS,
            (
                "Every distinct event from the landing zone (Firehose JSON, NDJSON, CSV),"
                " payload kept whole; a corrected copy replaces it (the old version goes to"
                " raw.superseded_events).",
                "Every distinct raw lead submission (NDJSON or CSV).",
                "One row per landed file version: hash and reconciled counts.",
                "Records that could not be read, with file, line, original bytes and reason.",
            ),
            strict=True,
        )
    ],
    can_subset=False,
    pool=WAREHOUSE_POOL,
)
def raw_landing(
    context: dg.AssetExecutionContext, config: LandingConfig, warehouse: WarehouseResource
):
    """Discover new files, load every record or quarantine it; counts reconcile per file."""
    paths = warehouse.paths
    with warehouse.connect() as con:
        reports = {
            dataset: land(
                con,
                paths.landing,
                dataset,
                only=None if only is None else set(only),
                progress=context.log.info,
            )
            for dataset, only in (("events", config.events), ("submissions", config.submissions))
        }
        totals = {
            table: con.execute(f"select count(*) from raw.{table}").fetchone()[0]
            for table in (*RAW_TABLES, "superseded_events")
        }
    for report in reports.values():
        if not report.reconciles:
            raise dg.Failure(
                f"{report.dataset}: records read do not reconcile with"
                " loaded + duplicates + quarantined + expired",
                metadata=report.summary(),
            )
    events, submissions = reports["events"].summary(), reports["submissions"].summary()
    yield dg.MaterializeResult(
        asset_key=RAW_EVENTS,
        metadata={
            **events,
            "table_rows": totals["lead_events"],
            "superseded_versions": totals["superseded_events"],
        },
    )
    yield dg.MaterializeResult(
        asset_key=RAW_SUBMISSIONS,
        metadata={**submissions, "table_rows": totals["lead_submissions"]},
    )
    yield dg.MaterializeResult(
        asset_key=RAW_MANIFEST,
        metadata={
            "files_this_run": events["files_landed"] + submissions["files_landed"],
            "table_rows": totals["ingest_manifest"],
        },
    )
    yield dg.MaterializeResult(
        asset_key=RAW_QUARANTINE,
        metadata={
            "quarantined_events": events["quarantined"],
            "quarantined_submissions": submissions["quarantined"],
            "table_rows": totals["quarantine"],
        },
    )
