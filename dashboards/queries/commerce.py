"""The commerce page: cap pacing, buyer response times, feedback cohorts, supplier P&L (the marts
in models/marts/commerce). These marts are per source or per buyer, not per flow: the date range
applies to all of them; the flow filter keeps the buyers of those flows (dim_steps) and the
sources posting into them; the source filter applies to sources (their caps, the P&L), not to
buyers."""

from __future__ import annotations

import duckdb
import pandas as pd

from dashboards.queries.filters import Filters, filter_where, to_frame

BUYERS_OF_FLOWS = (
    "select recipient_id from marts.dim_steps"
    " where recipient_kind = 'delivery' and flow_name in (select unnest($flows))"
)
SOURCES_OF_FLOWS = (
    "select source_name from marts.fct_source_scorecard where flow_name in (select unnest($flows))"
)


def _where(
    filters: Filters,
    date_column: str,
    *,
    source_column: str | None = None,
    buyer_column: str | None = None,
) -> tuple[str, dict]:
    """The date range on ``date_column``; for a per-source mart (``source_column``) the
    sources filtered and posting into the flows filtered; for a per-buyer mart
    (``buyer_column``, a recipient id) the buyers of the flows filtered. As a where clause and
    its bound parameters."""
    dates, params = filter_where(Filters(start=filters.start, end=filters.end), date_column)
    clauses = [dates]
    if filters.flows:
        params["flows"] = list(filters.flows)
        if source_column:
            clauses.append(f"{source_column} in ({SOURCES_OF_FLOWS})")
        if buyer_column:
            clauses.append(f"{buyer_column} in ({BUYERS_OF_FLOWS})")
    if filters.sources and source_column:
        clauses.append(f"{source_column} in (select unnest($sources))")
        params["sources"] = list(filters.sources)
    return " and ".join(clauses), params


def _cap_where(filters: Filters, date_column: str) -> tuple[str, dict]:
    """Caps of sources (their name filtered as sources) and buyers (by recipient id)."""
    where, params = _where(filters, date_column)
    sources, source_params = _where(
        Filters(flows=filters.flows, sources=filters.sources), "", source_column="entity_name"
    )
    buyers, _ = _where(Filters(flows=filters.flows), "", buyer_column="entity_id")
    params.update(source_params)
    where += f" and ((cap_kind = 'source' and {sources}) or (cap_kind = 'recipient' and {buyers}))"
    return where, params


def cap_pacing_summary(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Per source and buyer whose cap turned leads away in the period: days it was reached, the
    median time of day it was first reached (UTC), leads counted and turned away, the
    configured daily cap and how much of it a day used on average."""
    where, params = _cap_where(filters, "cap_date")
    sql = f"""
        select
            cap_kind as kind,
            entity_name as name,
            count(*) as days,
            count(*) filter (where cap_reached) as days_cap_reached,
            strftime(
                timestamp '2000-01-01' + to_seconds(quantile_disc(
                    epoch(first_capped_at::time), 0.5
                ) filter (where cap_reached)),
                '%H:%M'
            ) as median_first_capped_utc,
            min(first_capped_at::time) filter (where cap_reached) as earliest_capped_utc,
            sum(counted)::bigint as counted,
            sum(capped)::bigint as capped,
            max(daily_cap) as daily_cap,
            avg(counted_before_cap) filter (where cap_reached) as counted_before_cap_avg,
            avg(daily_cap_used) as daily_cap_used_avg
        from marts.fct_cap_pacing_daily
        where {where}
        group by 1, 2
        having sum(capped) > 0 or max(daily_cap) is not null
        order by days_cap_reached desc, capped desc, name
    """
    return to_frame(con, sql, params)


def cap_pacing_daily(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Per day, source and buyer whose cap was reached at least once in the period: counted,
    turned away, and the hour (UTC, with minutes as a fraction) the cap was first reached."""
    where, params = _cap_where(filters, "cap_date")
    sql = f"""
        with daily as (
            select * from marts.fct_cap_pacing_daily where {where}
        )
        select
            cap_date as day,
            cap_kind as kind,
            entity_name as name,
            counted,
            capped,
            daily_cap,
            daily_cap_used,
            first_capped_at,
            extract(hour from first_capped_at) + extract(minute from first_capped_at) / 60.0
                as first_capped_hour
        from daily
        where entity_id in (select entity_id from daily where cap_reached)
        order by name, day
    """
    return to_frame(con, sql, params)


def cap_pacing_monthly(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Per month touching the period, source and buyer with a monthly cap or cap hits: counted
    against the monthly cap, its use and the day it was reached (months whole)."""
    where, params = _cap_where(filters, "cap_month")
    # a month touches the period when its data ends on or after the start, begins by the end
    where = where.replace("cap_month >= $start", "last_day >= $start")
    where = where.replace("cap_month <= $end", "first_day <= $end")
    sql = f"""
        select
            cap_month as month,
            cap_kind as kind,
            entity_name as name,
            counted,
            capped,
            days_cap_reached,
            monthly_cap,
            monthly_cap_used,
            monthly_cap_reached_on
        from marts.fct_cap_pacing_monthly
        where {where} and (monthly_cap is not null or capped > 0)
        order by month, name
    """
    return to_frame(con, sql, params)


def buyer_response_by_buyer(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Per buyer over the period: calls, timeouts and their rate, the median day's p50 and the
    worst day's p90 and p99 latency (percentiles do not add up over days)."""
    where, params = _where(filters, "delivery_date", buyer_column="recipient_id")
    sql = f"""
        select
            recipient_name as buyer,
            sum(calls)::bigint as calls,
            sum(timeouts)::bigint as timeouts,
            sum(timeouts) / sum(calls) as timeout_rate,
            median(latency_ms_p50) as p50_ms_median_day,
            max(latency_ms_p90) as p90_ms_worst_day,
            max(latency_ms_p99) as p99_ms_worst_day,
            max(latency_ms_max) as max_ms
        from marts.fct_buyer_response_daily
        where {where}
        group by 1
        order by p99_ms_worst_day desc, buyer
    """
    return to_frame(con, sql, params)


def _response_times(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    mart: str,
    period: str,
    period_name: str,
    order_by: str,
) -> pd.DataFrame:
    """Per buyer (of the flows filtered) and ``period`` of a buyer response mart: calls,
    timeouts, p50/p90/p99 latency (ms)."""
    where, params = _where(filters, period, buyer_column="recipient_id")
    sql = f"""
        select
            {period} as {period_name},
            recipient_name as buyer,
            calls,
            timeouts,
            timeout_rate,
            latency_ms_p50,
            latency_ms_p90,
            latency_ms_p99
        from marts.{mart}
        where {where}
        order by {order_by}
    """
    return to_frame(con, sql, params)


def buyer_response_daily(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Per day and buyer: calls, timeouts, p50/p90/p99 latency (ms)."""
    return _response_times(
        con, filters, "fct_buyer_response_daily", "delivery_date", "day", "day, buyer"
    )


def buyer_response_hourly(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Per buyer and hour of day (UTC) over all published history: calls, timeouts,
    p50/p90/p99 latency. The date range does not apply (the mart is all-time)."""
    return _response_times(
        con,
        Filters(flows=filters.flows),
        "fct_buyer_response_hourly",
        "hour_utc",
        "hour",
        "buyer, hour",
    )


#: Sums of fct_feedback_cohorts over a grouping, and the rates to date.
_FEEDBACK_SUMS = """
            count(*) as cells,
            sum(sold_deliveries)::bigint as sold,
            sum(returns)::bigint as returns,
            sum(conversions)::bigint as conversions,
            sum(returns_to_date)::bigint as returns_to_date,
            sum(conversions_to_date)::bigint as conversions_to_date,
            sum(returns_to_date) / nullif(sum(sold_deliveries), 0) as return_rate_to_date,
            sum(conversions_to_date) / nullif(sum(sold_deliveries), 0)
                as conversion_rate_to_date"""


def _feedback(
    con: duckdb.DuckDBPyConnection, filters: Filters, group: str, name: str
) -> pd.DataFrame:
    """fct_feedback_cohorts of the period summed by ``group`` (as ``name``) and the day since
    submission."""
    where, params = _where(filters, "cohort_date", buyer_column="recipient_id")
    sql = f"""
        select {group} as {name}, days_since_submission as days, {_FEEDBACK_SUMS}
        from marts.fct_feedback_cohorts
        where {where}
        group by 1, 2
        order by 1, 2
    """
    return to_frame(con, sql, params)


def feedback_cohorts(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Per submission-day cohort in the period and day since submission, all buyers together:
    deliveries sold, returns and conversions to date and their rates."""
    return _feedback(con, filters, "cohort_date", "cohort")


def feedback_curves(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Per buyer and day since submission: the return and conversion rates to date of the
    period's cohorts that are at least that old (pooled; ``cells`` = cohorts), and how many
    returns arrived that day."""
    return _feedback(con, filters, "recipient_name", "buyer")


def supplier_pnl(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Per source and month touching the period (months whole): leads, cost, revenue, returns
    given back, profit, margin, cost per conversion, revenue per lead."""
    where, params = _where(filters, "pnl_month", source_column="source_name")
    if filters.start:  # a month touches the period when it ends on or after its start
        where = where.replace("pnl_month >= $start", "pnl_month >= date_trunc('month', $start)")
    sql = f"""
        select
            pnl_month as month,
            source_name as source,
            leads,
            sold_leads,
            returns,
            conversions,
            cost::double as cost,
            revenue::double as revenue,
            returned_revenue::double as returned_revenue,
            net_revenue::double as net_revenue,
            profit::double as profit,
            margin,
            cost_per_conversion,
            cost_per_lead,
            revenue_per_lead
        from marts.fct_supplier_pnl_monthly
        where {where}
        order by month, profit
    """
    return to_frame(con, sql, params)
