"""The pure functions that turn a partition window into dbt's arguments."""

from datetime import UTC, date, datetime

import dagster as dg

from orchestration.partitions import (
    OPEN_END,
    OPEN_START,
    dbt_vars_for_window,
    dbt_window_environment,
    partition_range_for_dates,
)

FIRST, LAST = date(2025, 1, 1), date(2026, 11, 27)


def test_a_middle_window_is_passed_as_is():
    assert dbt_vars_for_window(date(2026, 10, 5), date(2026, 10, 8), FIRST, LAST) == {
        "min_date": "2026-10-05",
        "max_date": "2026-10-07",  # the window's end is exclusive
    }


def test_the_first_and_last_partitions_are_open_ended():
    assert dbt_vars_for_window(FIRST, date(2025, 1, 2), FIRST, LAST)["min_date"] == str(OPEN_START)
    assert dbt_vars_for_window(date(2026, 11, 27), date(2026, 11, 28), FIRST, LAST) == {
        "min_date": "2026-11-27",
        "max_date": str(OPEN_END),
    }


def test_the_window_is_handed_to_dbt_as_environment_variables():
    window = dbt_vars_for_window(date(2026, 10, 5), date(2026, 10, 8), FIRST, LAST)
    assert dbt_window_environment(window) == {
        "LEADWH_WINDOW_MIN_DATE": "2026-10-05",
        "LEADWH_WINDOW_MAX_DATE": "2026-10-07",
    }


def test_partition_range_is_clamped_to_the_partitions_that_exist():
    partitions = dg.DailyPartitionsDefinition(start_date="2026-10-01", end_offset=1)
    now = datetime(2026, 10, 20, 12)
    assert partition_range_for_dates(date(2026, 10, 3), date(2026, 10, 9), partitions, now) == (
        "2026-10-03",
        "2026-10-09",
    )
    # events older than the first partition and newer than today
    assert partition_range_for_dates(date(2026, 9, 1), date(2026, 12, 1), partitions, now) == (
        "2026-10-01",
        "2026-10-20",
    )


def test_an_incremental_range_spans_at_most_max_days():
    partitions = dg.DailyPartitionsDefinition(start_date="2025-01-01", end_offset=1)
    now = datetime(2026, 12, 1, tzinfo=UTC)
    # one event of 2001 among today's: the range is the last 31 days, not 700 partitions
    assert partition_range_for_dates(
        date(2001, 5, 1), date(2026, 12, 1), partitions, now, max_days=31
    ) == ("2026-11-01", "2026-12-01")
    assert partition_range_for_dates(
        date(2026, 11, 29), date(2026, 12, 1), partitions, now, max_days=31
    ) == ("2026-11-29", "2026-12-01")
