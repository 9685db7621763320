"""Daily partitions on event date, and the pure functions that turn a partition window into
the arguments handed to dbt."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import dagster as dg

from ingest.settings import get_settings

OPEN_START = date(1970, 1, 1)
OPEN_END = date(9999, 12, 31)


def partitions_start() -> str:
    """First partition day: $LEADWH_PARTITIONS_START (YYYY-MM-DD), default 2025-01-01."""
    return get_settings().partitions_start.isoformat()


daily_partitions = dg.DailyPartitionsDefinition(start_date=partitions_start(), end_offset=1)


def dbt_vars_for_window(
    start: date, end_exclusive: date, first_partition: date, last_partition: date
) -> dict[str, str]:
    """min_date / max_date for dbt. The first and last partitions are open-ended, so events
    dated before the first partition or after today are never left out of every window."""
    min_date = OPEN_START if start <= first_partition else start
    last_day = end_exclusive - timedelta(days=1)
    max_date = OPEN_END if last_day >= last_partition else last_day
    return {"min_date": min_date.isoformat(), "max_date": max_date.isoformat()}


# `dbt build`: the data tests run with the models (which ones is left to dbt's default and to
# dagster-dbt, which narrows it for a subset of the assets); the unit tests do not: they check the
# models' logic on fixed inputs, not the data, and run in the test suite (as dbt advises;
# tests/dbt/test_unit_tests.py).
DBT_BUILD_ARGS = ("build", "--exclude-resource-type", "unit_test")


def dbt_window_environment(window_vars: dict[str, str]) -> dict[str, str]:
    """The window as the environment dbt reads it in (macros/partition_window.sql): unlike
    --vars, a window that differs from the previous run's keeps dbt's partial parse valid."""
    return {f"LEADWH_WINDOW_{name.upper()}": value for name, value in window_vars.items()}


# The widest range of partitions an incremental build of new files spans (`leadwh build`, the
# landing sensor). Events dated before it still reach the marts: fct_lead_events takes every
# event loaded since its last run, whatever its date; only their partitions are not marked as
# materialized by that run. One old event can so never make a build rebuild months of partitions.
MAX_INCREMENTAL_DAYS = 31


def partition_range_for_dates(
    first_day: date,
    last_day: date,
    partitions: dg.DailyPartitionsDefinition,
    now: datetime | None = None,
    max_days: int | None = None,
) -> tuple[str, str]:
    """The partition keys covering [first_day, last_day], clamped to the partitions that exist,
    and to the last `max_days` of them when given."""
    keys = partitions.get_partition_keys(current_time=now)
    if not keys:
        raise ValueError("no partitions exist yet: check LEADWH_PARTITIONS_START")
    lo, hi = date.fromisoformat(keys[0]), date.fromisoformat(keys[-1])
    first = min(max(first_day, lo), hi)
    last = max(min(last_day, hi), first)
    if max_days is not None:
        first = max(first, last - timedelta(days=max_days - 1))
    return first.isoformat(), last.isoformat()
