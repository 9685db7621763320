"""The delivery page: outcomes per recipient (buyers or enhancement services), per day, failures."""

from __future__ import annotations

import duckdb
import pandas as pd

from dashboards.queries.filters import UNCATEGORISED, Filters, filtered

RECIPIENT_KINDS = ("delivery", "enhancement")


def _deliveries(
    con: duckdb.DuckDBPyConnection, filters: Filters, kind: str, sql: str
) -> pd.DataFrame:
    """``sql`` over the filtered deliveries to recipients of ``kind``."""
    if kind not in RECIPIENT_KINDS:
        raise ValueError(f"recipient kind must be one of {RECIPIENT_KINDS}, not {kind!r}")
    return filtered(
        con, filters, "delivery_date", sql, also="recipient_kind = $kind", params={"kind": kind}
    )


_DELIVERY_COUNTS = """
    count(*) as attempted,
    count(*) filter (where final_outcome = 'success') as succeeded,
    count(*) filter (where final_outcome = 'failure') as failed,
    count(*) filter (where final_outcome = 'error') as errored,
    count(*) filter (where final_outcome = 'skip') as skipped,
    count(*) filter (where was_retried) as retried,
    count(*) filter (where final_outcome = 'success') / count(*) as success_rate,
    count(*) filter (where final_outcome = 'failure') / count(*) as failure_rate,
    count(*) filter (where final_outcome = 'error') / count(*) as error_rate,
    count(*) filter (where final_outcome = 'skip') / count(*) as skip_rate,
    coalesce(sum(revenue), 0)::double as revenue,
    coalesce(sum(cost), 0)::double as cost
"""


def delivery_by_recipient(
    con: duckdb.DuckDBPyConnection, filters: Filters, kind: str = "delivery"
) -> pd.DataFrame:
    """Per recipient (buyers for kind="delivery", services for "enhancement"): final outcomes
    after retries and their rates, revenue, cost and latency percentiles of the first attempt."""
    sql = f"""
        select
            recipient_name as recipient,
            {_DELIVERY_COUNTS},
            quantile_cont(latency_ms, 0.5) as latency_p50_ms,
            quantile_cont(latency_ms, 0.95) as latency_p95_ms,
            quantile_cont(latency_ms, 0.99) as latency_p99_ms,
            max(latency_ms) as latency_max_ms
        from marts.fct_deliveries
        where {{where}}
        group by 1
        order by attempted desc, recipient
    """
    return _deliveries(con, filters, kind, sql)


def delivery_daily(
    con: duckdb.DuckDBPyConnection, filters: Filters, kind: str = "delivery"
) -> pd.DataFrame:
    """Per day (of the first attempt, UTC) and recipient: outcomes, rates, revenue, p95 latency."""
    sql = f"""
        select
            delivery_date as day,
            recipient_name as recipient,
            {_DELIVERY_COUNTS},
            quantile_cont(latency_ms, 0.95) as latency_p95_ms
        from marts.fct_deliveries
        where {{where}}
        group by 1, 2
        order by 1, 2
    """
    return _deliveries(con, filters, kind, sql)


def delivery_failures(
    con: duckdb.DuckDBPyConnection, filters: Filters, kind: str = "delivery"
) -> pd.DataFrame:
    """Failures and errors (final outcome after retries) per recipient, outcome and reason,
    the most frequent first."""
    sql = f"""
        select
            recipient_name as recipient,
            final_outcome as outcome,
            coalesce(final_reason_category, '{UNCATEGORISED}') as reason_category,
            coalesce(final_reason, '(no reason given)') as reason,
            count(*) as deliveries
        from marts.fct_deliveries
        where {{where}} and final_outcome in ('failure', 'error')
        group by 1, 2, 3, 4
        order by deliveries desc, recipient, reason
    """
    return _deliveries(con, filters, kind, sql)
