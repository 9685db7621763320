"""`leadwh build`: the ingest run, then the transform run over the partitions that got new
events, both recorded in the persistent Dagster instance (the UI's run history)."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg

from ingest.landing import raw_store
from ingest.paths import Paths
from ingest.serving.build_state import Lag, lag
from ingest.serving.publish import serving_version
from ingest.settings import get_settings
from ingest.warehouse import connect_warehouse
from orchestration.dead_runs import owner_tags, release_dead_runs
from orchestration.names import INGEST_JOB, RANGE_END, RANGE_START, TRANSFORM_JOB
from orchestration.partitions import (
    MAX_INCREMENTAL_DAYS,
    daily_partitions,
    partition_range_for_dates,
)

# The dagster.yaml of a new Dagster home: every asset that writes the warehouse runs in the pool
# "warehouse" (orchestration/names.py); its limit of 1 makes runs launched together queue
# instead of failing on DuckDB's file lock.
INSTANCE_YAML = """\
# Written by LeadWarehouse (orchestration/build.py). Pools without a limit of their own, such as
# "warehouse" (every asset that writes the warehouse file), run one step at a time.
concurrency:
  pools:
    default_limit: 1
# Under `dagster dev` (the daemon): fail runs stuck starting, free the slots of finished runs.
# Runs whose process died are released by LeadWarehouse itself (orchestration/dead_runs.py).
run_monitoring:
  enabled: true
  start_timeout_seconds: 180
  free_slots_after_run_end_seconds: 30
# The daemon looks at the run queue every second (default 5): a landing sensor's run starts sooner.
run_queue:
  dequeue_interval_seconds: 1
# Runs start in a process forked from a worker that has loaded the code
# (orchestration/warm_launcher.py).
run_launcher:
  module: orchestration.warm_launcher
  class: WarmRunLauncher
"""
WRITTEN_BY_US = "# Written by LeadWarehouse"


def dagster_home(paths: Paths) -> Path:
    """The persistent Dagster instance under the warehouse home (runs show up in the UI).

    Writes its dagster.yaml (the warehouse pool's limit of 1) when there is none, and brings one
    written by an earlier version up to date (a file of your own is left as it is)."""
    home = get_settings().dagster_home or paths.dagster_home
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists() or (
        config.read_text().startswith(WRITTEN_BY_US) and config.read_text() != INSTANCE_YAML
    ):
        config.write_text(INSTANCE_YAML)
    os.environ["DAGSTER_HOME"] = str(home)
    return home


def prepare_dbt() -> None:
    """Parse the dbt project so Dagster can load its manifest."""
    from orchestration.defs.project import prepare

    prepare()


def _lag(paths: Paths) -> Lag:
    with connect_warehouse(paths.warehouse) as con:
        return lag(con, serving_version(paths.serving))


def dates_to_build(paths: Paths, state: Lag, full: bool):
    """(first, last) event date of the partitions to transform, or None when the serving file
    holds everything landed. Every date when `full`, when the marts do not exist, or when no
    publish has been recorded; else the dates of the events loaded since the last publish, or,
    when only the serving file lags (a killed publish, only submissions landed), the last date."""
    with connect_warehouse(paths.warehouse) as con:
        everything = raw_store.event_date_range(con)
        if everything is None:  # no events: the marts are empty, the serving file may lag
            today = datetime.now(tz=UTC).date()
            return (today, today) if state.lags else None
        if (
            full
            or state.published_through is None
            or not raw_store.has_table(con, "marts", "fct_lead_events")
        ):
            return everything
        dates = raw_store.event_date_range(con, state.published_through)
    if dates is None and state.lags:
        return everything[1], everything[1]
    return dates


def run_build(paths: Paths, full: bool = False, log: Callable[[str], None] = print) -> bool:
    """Land and parse new files, then build the partitions that are not yet published and
    publish; succeeds only when the serving file then holds everything landed before.

    Runs whose process died (a killed build) are marked failed first and their pool slots freed
    (orchestration/dead_runs.py). What was landed but not published (by a killed or failed
    build) is built again (ingest/serving/build_state.py)."""
    os.environ["LEADWH_HOME"] = str(paths.home)
    dagster_home(paths)
    prepare_dbt()
    from orchestration.definitions import defs
    from orchestration.defs.connectors import sync_before_build

    definitions = defs()
    with dg.DagsterInstance.get() as instance:
        release_dead_runs(instance, log)
        # an object-store source first; if its sync fails, what is in the landing zone is still
        # built, and the build fails at its end
        synced = sync_before_build(definitions, instance, log)
        ingest = definitions.resolve_job_def(INGEST_JOB).execute_in_process(
            instance=instance, tags=owner_tags(), raise_on_error=False
        )
        if not ingest.success:
            log("the ingest run failed; see the Dagster UI or the log above")
            return False
        before = _lag(paths)
        dates = dates_to_build(paths, before, full)
        if dates is None:
            if before.loaded_through is None:
                log("no events have landed yet: nothing to build")
            else:
                log("no new events landed: the marts and the serving file are up to date")
            return synced
        if before.lags:
            log(f"to publish: {before.describe()}")
        # an incremental build spans at most the newest MAX_INCREMENTAL_DAYS partitions (older
        # late events still reach the marts, by load time); a full or first build spans all
        everything = full or before.published_through is None
        start, end = partition_range_for_dates(
            *dates, daily_partitions, max_days=None if everything else MAX_INCREMENTAL_DAYS
        )
        log(f"transforming partitions {start} .. {end} (events dated {dates[0]} .. {dates[1]})")
        release_dead_runs(instance, log)
        transform = definitions.resolve_job_def(TRANSFORM_JOB).execute_in_process(
            instance=instance,
            tags={RANGE_START: start, RANGE_END: end, **owner_tags()},
            raise_on_error=False,
        )
        if not transform.success:
            return False
    after = _lag(paths)
    if not after.serving_current or (
        before.loaded_through is not None
        and (after.published_through is None or after.published_through < before.loaded_through)
    ):
        log(f"the serving file lags the warehouse: {after.describe()}; run `leadwh build` again")
        return False
    return synced
