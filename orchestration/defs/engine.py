"""What a dbt step does around dbt on the Spark engine (``LEADWH_ENGINE=spark``): export dbt's
sources to the Parquet lake before, mirror the marts it built into the warehouse after
(ingest/engines). On DuckDB it only runs dbt."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource

from ingest.engines import SPARK, dbt_target, lake_root, spark_warehouse
from ingest.engines.spark_lake import export_sources, read_manifest
from ingest.engines.spark_mirror import built_tables, mirror_tables
from ingest.landing import lake
from ingest.settings import environment as set_environment
from ingest.settings import get_settings
from orchestration.defs.project import (
    dbt_project,
    duckdb_manifest_path,
    prune_invocation_targets,
)
from orchestration.defs.resources import WarehouseResource

LAKE_VAR = "LEADWH_SPARK_LANDING"
LANDING_LAKE_VAR = "LEADWH_WAREHOUSE_LAKE"


def export_lake(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> Path:
    """Every dbt source, from the warehouse to the Parquet lake dbt's Spark target reads."""
    root = lake_root(warehouse.paths.home, get_settings().spark_landing)
    with warehouse.connect() as con:
        exported = export_sources(con, read_manifest(dbt_project.manifest_path), root)
    rows = ", ".join(e.describe() for e in exported)
    context.log.info(f"exported dbt's sources to {root}: {rows}")
    return root


def mirror_marts(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, invocation
) -> None:
    """The marts this invocation built on Spark, copied into the warehouse (one transaction)."""
    run_results = invocation.get_artifact("run_results.json")
    duckdb_manifest = duckdb_manifest_path()  # the types as DuckDB would build them
    if not duckdb_manifest.exists():
        raise FileNotFoundError(
            f"{duckdb_manifest} is missing: the marts copied back from Spark take DuckDB's contract"
            " types from it; `leadwh build` (orchestration/defs/project.py prepare) writes it"
        )
    tables = built_tables(run_results, read_manifest(duckdb_manifest))
    with warehouse.connect() as con:
        counts = mirror_tables(con, spark_warehouse(warehouse.paths.home), tables)
    context.log.info(
        f"mirrored {len(counts)} tables from Spark: "
        + (", ".join(f"{name} {rows}" for name, rows in counts.items()) or "none")
    )


def run_dbt(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    warehouse: WarehouseResource,
    args: list[str],
    environment: dict[str, str],
) -> Iterator:
    """`dbt <args>` on the configured engine with these environment variables, its events
    streamed to Dagster. On Spark, the tables it built are mirrored also when it fails part-way
    (they are Spark's newest state). The engine is the resource's dbt target
    (orchestration/defs/project.py), so it is the parse's too. Old invocations' target folders
    are deleted first (prune_invocation_targets)."""
    pruned = prune_invocation_targets(dbt_project.manifest_path.parent)
    if pruned:
        context.log.debug(f"deleted {len(pruned)} old dbt invocation folders")
    if dbt.target != dbt_target(SPARK):
        with set_environment(**environment):
            invocation = dbt.cli(args, context=context)  # dbt starts here, with this environment
        yield from invocation.stream()
        return
    root = export_lake(context, warehouse)
    # the lakes' absolute paths: macro register_parquet_sources reads them (else relative to dbt)
    lakes = {LAKE_VAR: str(root), LANDING_LAKE_VAR: str(lake.root_for(warehouse.paths.warehouse))}
    with set_environment(**environment, **lakes):
        invocation = dbt.cli(args, context=context)
    try:
        yield from invocation.stream()
    except Exception:
        mirror_marts(context, warehouse, invocation)
        raise
    mirror_marts(context, warehouse, invocation)
