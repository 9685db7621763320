"""The rejections page: reasons (Pareto), raw reasons, rejecting steps, per source, per day."""

from __future__ import annotations

import duckdb
import pandas as pd

from dashboards.queries.filters import UNCATEGORISED, Filters, filtered


def _in_category(category: str | None) -> tuple[str | None, dict]:
    """The condition (and its parameters) keeping the rejections in ``category`` (all if None)."""
    if not category:
        return None, {}
    return f"coalesce(reason_category, '{UNCATEGORISED}') = $category", {"category": category}


def _rejections(
    con: duckdb.DuckDBPyConnection, filters: Filters, category: str | None, sql: str
) -> pd.DataFrame:
    """``sql`` over the filtered rejections in ``category`` (all if None)."""
    condition, params = _in_category(category)
    return filtered(con, filters, "submitted_date", sql, also=condition, params=params)


def rejection_pareto(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Rejected leads per reason category, largest first, with share and cumulative share."""
    sql = f"""
        with by_category as (
            select coalesce(reason_category, '{UNCATEGORISED}') as reason_category,
                   sum(rejected)::bigint as rejected
            from marts.fct_rejections_daily
            where {{where}}
            group by 1
        )
        select
            reason_category,
            rejected,
            rejected / sum(rejected) over () as share,
            sum(rejected) over (order by rejected desc, reason_category
                                rows between unbounded preceding and current row)
                / sum(rejected) over () as cumulative_share
        from by_category
        order by rejected desc, reason_category
    """
    return filtered(con, filters, "submitted_date", sql)


def rejection_reasons(
    con: duckdb.DuckDBPyConnection, filters: Filters, category: str | None = None
) -> pd.DataFrame:
    """The raw reasons (as the step or source gave them), most frequent first."""
    sql = f"""
        select
            coalesce(reason_category, '{UNCATEGORISED}') as reason_category,
            coalesce(reason, '(no reason given)') as reason,
            sum(rejected)::bigint as rejected,
            sum(rejected) / sum(sum(rejected)) over () as share
        from marts.fct_rejections_daily
        where {{where}}
        group by 1, 2
        order by rejected desc, reason
    """
    return _rejections(con, filters, category, sql)


def rejection_steps(
    con: duckdb.DuckDBPyConnection, filters: Filters, category: str | None = None
) -> pd.DataFrame:
    """Which step rejected: a filter step (by its name in dim_steps), the acceptance criteria
    (or a cap), or no buyer taking the lead; per flow."""
    sql = """
        with rejections as (
            select rejected_by, rejecting_step_id, flow_name, sum(rejected) as rejected
            from marts.fct_rejections_daily
            where {where}
            group by 1, 2, 3
        )
        select
            coalesce(rejections.rejected_by, 'unknown') as rejected_by,
            rejections.rejecting_step_id as step_id,
            case
                when rejections.rejected_by = 'filter'
                    then coalesce(steps.step_name, 'filter ' || rejections.rejecting_step_id)
                when rejections.rejected_by = 'acceptance_criteria' then 'acceptance criteria'
                when rejections.rejected_by = 'recipients' then 'no buyer took it'
                else coalesce(rejections.rejecting_step_id, 'unknown')
            end as step,
            rejections.flow_name as flow,
            rejections.rejected::bigint as rejected,
            rejections.rejected / sum(rejections.rejected) over () as share
        from rejections
        left join marts.dim_steps as steps
            on rejections.rejected_by = 'filter' and steps.step_id = rejections.rejecting_step_id
        order by rejected desc, step, flow
    """
    return _rejections(con, filters, category, sql)


def rejections_by_source(
    con: duckdb.DuckDBPyConnection, filters: Filters, category: str | None = None
) -> pd.DataFrame:
    """Rejected leads per source and their share of the source's leads."""
    condition, params = _in_category(category)
    in_category = f" and {condition}" if condition else ""
    sql = f"""
        with rejections as (
            select source_name, sum(rejected)::bigint as rejected
            from marts.fct_rejections_daily
            where {{where}}{in_category}
            group by 1
        ),
        leads as (
            select source_name, sum(leads)::bigint as leads
            from marts.fct_acceptance_daily
            where {{where}}
            group by 1
        )
        select
            leads.source_name as source,
            leads.leads,
            coalesce(rejections.rejected, 0)::bigint as rejected,
            coalesce(rejections.rejected, 0) / nullif(leads.leads, 0) as rejection_rate
        from leads
        left join rejections using (source_name)
        order by rejected desc, source
    """
    return filtered(con, filters, "submitted_date", sql, params=params)


def rejections_daily(
    con: duckdb.DuckDBPyConnection, filters: Filters, category: str | None = None
) -> pd.DataFrame:
    """Rejected leads per day and reason category (or raw reason inside one category)."""
    group = (
        "coalesce(reason, '(no reason given)')"
        if category
        else (f"coalesce(reason_category, '{UNCATEGORISED}')")
    )
    sql = f"""
        select submitted_date as day, {group} as reason, sum(rejected)::bigint as rejected
        from marts.fct_rejections_daily
        where {{where}}
        group by 1, 2
        order by 1, 3 desc, 2
    """
    return _rejections(con, filters, category, sql)
