"""The source-quality page: the scorecard and the daily rates per source."""

from __future__ import annotations

import duckdb
import pandas as pd

from dashboards.queries.filters import (
    ACCEPTANCE_RATE,
    LEADS_ACCEPTED_REJECTED,
    Filters,
    filtered,
)

_VALID_DATA_AND_RETURNS = """
    sum(valid_phone) / nullif(sum(with_phone), 0) as valid_phone_rate,
    sum(valid_email) / nullif(sum(with_email), 0) as valid_email_rate,
    sum(sold_leads)::bigint as sold_leads,
    sum(returned)::bigint as returned,
    sum(returned) / nullif(sum(sold_leads), 0) as return_rate
"""


def source_scorecard(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """The source-quality scorecard for the filtered period, one row per flow and source.

    The rates are recomputed from the daily sums (the marts' definitions: valid phone / with
    phone, returned / sold, purchase cost / accepted, profit / all cost); ``acceptance_trend``
    and ``return_trend`` are the daily rates in day order, for sparklines.
    """
    sql = f"""
        select
            source_name as source,
            flow_name as flow,
            {LEADS_ACCEPTED_REJECTED},
            {ACCEPTANCE_RATE},
            {_VALID_DATA_AND_RETURNS},
            sum(converted)::bigint as converted,
            sum(purchase_cost)::double as purchase_cost,
            sum(recipient_cost)::double as recipient_cost,
            sum(revenue)::double as revenue,
            sum(profit)::double as profit,
            (sum(purchase_cost) / nullif(sum(accepted), 0))::double as cost_per_accepted_lead,
            (sum(profit) / nullif(sum(purchase_cost) + sum(recipient_cost), 0))::double as roi,
            list(coalesce(acceptance_rate, 0) order by submitted_date) as acceptance_trend,
            list(coalesce(return_rate, 0) order by submitted_date) as return_trend
        from marts.fct_source_quality_daily
        where {{where}}
        group by 1, 2
        order by leads desc, source, flow
    """
    return filtered(con, filters, "submitted_date", sql)


def source_quality_daily(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Per day and source (all its flows): acceptance, valid-data and return rates, recomputed
    from the day's sums as in :func:`source_scorecard`."""
    sql = f"""
        select
            submitted_date as day,
            source_name as source,
            sum(leads)::bigint as leads,
            {ACCEPTANCE_RATE},
            {_VALID_DATA_AND_RETURNS},
            sum(profit)::double as profit
        from marts.fct_source_quality_daily
        where {{where}}
        group by 1, 2
        order by 2, 1
    """
    return filtered(con, filters, "submitted_date", sql)
