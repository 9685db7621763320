"""`leadwh build`: the ingest run, then the transform run over the partitions that got new
events, both recorded in the persistent Dagster instance (the UI's run history)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import dagster as dg

from ingest.landing import raw_store
from ingest.paths import Paths
from ingest.settings import get_settings
from ingest.warehouse import connect_warehouse
from orchestration.names import INGEST_JOB, RANGE_END, RANGE_START, TRANSFORM_JOB
from orchestration.partitions import daily_partitions, partition_range_for_dates

# The dagster.yaml of a new Dagster home: every asset that writes the warehouse runs in the pool
# "warehouse" (orchestration/names.py); its limit of 1 makes runs launched together queue
# instead of failing on DuckDB's file lock.
INSTANCE_YAML = """\
# Written by LeadWarehouse (orchestration/build.py). Pools without a limit of their own, such as
# "warehouse" (every asset that writes the warehouse file), run one step at a time.
concurrency:
  pools:
    default_limit: 1
"""


def dagster_home(paths: Paths) -> Path:
    """The persistent Dagster instance under the warehouse home (runs show up in the UI).

    Writes its dagster.yaml (the warehouse pool's limit of 1) when there is none."""
    home = get_settings().dagster_home or paths.dagster_home
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text(INSTANCE_YAML)
    os.environ["DAGSTER_HOME"] = str(home)
    return home


def prepare_dbt() -> None:
    """Parse the dbt project so Dagster can load its manifest."""
    from orchestration.defs.project import prepare

    prepare()


def _warehouse_state(paths: Paths):
    with connect_warehouse(paths.warehouse) as con:
        return raw_store.latest_ingest_time(con), raw_store.has_table(
            con, "marts", "fct_lead_events"
        )


def _new_dates(paths: Paths, loaded_after, full: bool):
    with connect_warehouse(paths.warehouse) as con:
        return raw_store.event_date_range(con, None if full else loaded_after)


def run_build(paths: Paths, full: bool = False, log: Callable[[str], None] = print) -> bool:
    """Land and parse new files, then build the partitions they touched and publish.

    With `full`, or when the marts do not exist yet, every partition holding raw events is built.
    """
    os.environ["LEADWH_HOME"] = str(paths.home)
    dagster_home(paths)
    prepare_dbt()
    from orchestration.definitions import defs
    from orchestration.defs.connectors import sync_before_build

    definitions = defs()
    loaded_before, marts_exist = _warehouse_state(paths)
    with dg.DagsterInstance.get() as instance:
        if not sync_before_build(definitions, instance, log):  # an object-store source first
            return False
        ingest = definitions.resolve_job_def(INGEST_JOB).execute_in_process(
            instance=instance, raise_on_error=False
        )
        if not ingest.success:
            log("the ingest run failed; see the Dagster UI or the log above")
            return False
        dates = _new_dates(paths, loaded_before, full=full or not marts_exist)
        if dates is None:
            log("no new events landed: the marts are up to date")
            return True
        start, end = partition_range_for_dates(*dates, daily_partitions)
        log(f"transforming partitions {start} .. {end} (events dated {dates[0]} .. {dates[1]})")
        transform = definitions.resolve_job_def(TRANSFORM_JOB).execute_in_process(
            instance=instance, tags={RANGE_START: start, RANGE_END: end}, raise_on_error=False
        )
        return transform.success
