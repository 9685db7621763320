"""The engine dbt builds the models on (setting ``LEADWH_ENGINE``): DuckDB, in the warehouse file
itself, or Apache Spark.

On Spark the warehouse file stays the hub the Python steps read and write: landing and typing
write it as on DuckDB; before each dbt step the tables dbt reads are exported to Parquet
(:mod:`ingest.engines.spark_lake`), and after it the tables the Python steps read (the marts) are
copied back from Spark's Parquet folders (:mod:`ingest.engines.spark_mirror`), so publishing,
alerts, exports and dashboards do not know which engine built them.
"""

from __future__ import annotations

import os
from pathlib import Path

from ingest.settings import PROJECT_ROOT, get_settings

DUCKDB = "duckdb"
SPARK = "spark"

#: The dbt target (dbt_project/profiles.yml) of each engine; None: the profile's default.
DBT_TARGETS: dict[str, str | None] = {DUCKDB: None, SPARK: "spark"}


def current_engine() -> str:
    """``$LEADWH_ENGINE``, read now (a :class:`~ingest.settings.SettingsError` when it is
    `spark` and the `spark` extra is not installed)."""
    return get_settings().engine


def dbt_target(engine: str) -> str | None:
    return DBT_TARGETS[engine]


def dbt_target_folder(engine: str) -> str:
    """dbt's target folder (under dbt_project/) for an engine's parse and runs: DuckDB's is dbt's
    default, ``target``; another engine's ``target/<engine>``. A process building on Spark and
    one building on DuckDB from the same checkout (a `leadwh build` beside `dagster dev`) would
    otherwise parse over each other's manifest, and each dbt step take the other's partial-parse
    file (a full parse: the profile differs)."""
    return "target" if engine == DUCKDB else f"target/{engine}"


def dbt_target_path() -> str:
    """``$DBT_TARGET_PATH`` when set (by the user, or by orchestration/defs/project.py for this
    process), else this process's engine's folder (:func:`dbt_target_folder`)."""
    return os.environ.get("DBT_TARGET_PATH", dbt_target_folder(process_engine()))


def dbt_manifest() -> Path:
    """dbt's manifest of this process's engine (`dbt parse` writes it; every build does too)."""
    return PROJECT_ROOT / "dbt_project" / dbt_target_path() / "manifest.json"


def process_engine() -> str:
    """The engine of ``$LEADWH_ENGINE`` when this process reads it; DuckDB when the setting
    cannot be used here (the dbt step then says why: ``current_engine``)."""
    from ingest.settings import SettingsError

    try:
        return current_engine()
    except SettingsError:
        return DUCKDB


def lake_root(home: Path, spark_landing: str = "") -> Path:
    """Where dbt's Spark target reads its sources: ``$LEADWH_SPARK_LANDING``, else
    ``$LEADWH_HOME/lake`` (the default of macro ``register_parquet_sources``)."""
    return Path(spark_landing).expanduser().resolve() if spark_landing else home / "lake"


def spark_warehouse(home: Path) -> Path:
    """Spark's warehouse folder (``spark.sql.warehouse.dir`` of the profile's `spark` target):
    a table is ``<schema>.db/<table>/`` under it."""
    return home / "spark" / "warehouse"
