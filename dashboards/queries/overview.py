"""The overview page: headline numbers for a period and the one before, and per day."""

from __future__ import annotations

import duckdb
import pandas as pd

from dashboards.queries.filters import Filters, filtered, previous_period

_KPI_SELECT = """
    count(*) as leads,
    count(*) filter (where lead_outcome = 'accepted') as accepted,
    count(*) filter (where lead_outcome = 'rejected') as rejected,
    count(*) filter (where lead_outcome = 'error') as errored,
    count(*) filter (where lead_outcome = 'accepted') / nullif(count(*), 0) as acceptance_rate,
    coalesce(sum(deliveries_attempted), 0)::bigint as deliveries_attempted,
    coalesce(sum(deliveries_succeeded), 0)::bigint as deliveries_succeeded,
    sum(deliveries_succeeded) / nullif(sum(deliveries_attempted), 0) as delivery_success_rate,
    count(*) filter (where deliveries_succeeded > 0) as sold_leads,
    count(*) filter (where is_returned) as returned_leads,
    count(*) filter (where is_returned)
        / nullif(count(*) filter (where deliveries_succeeded > 0), 0) as return_rate,
    coalesce(sum(purchase_cost), 0)::double as purchase_cost,
    coalesce(sum(recipient_cost), 0)::double as recipient_cost,
    coalesce(sum(purchase_cost) + sum(recipient_cost), 0)::double as cost,
    coalesce(sum(delivery_revenue), 0)::double as revenue,
    coalesce(sum(profit), 0)::double as profit
"""


def overview_kpis(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """The headline numbers for the filtered period and the previous one of the same length.

    One row per period (`current`, then `previous` when the filters have dates), from
    marts.fct_leads: leads, acceptance, delivery success (successful / attempted buyer
    deliveries), returned leads, cost (paid to sources + recipient steps), revenue and profit.
    """
    periods = [("current", filters)]
    before = previous_period(filters)
    if before is not None:
        periods.append(("previous", before))
    sql = f"select {_KPI_SELECT} from marts.fct_leads where {{where}}"
    frames = []
    for name, period in periods:
        frame = filtered(con, period, "submitted_date", sql)
        frame.insert(0, "period", name)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def overview_daily(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """The same numbers per day of submission (UTC)."""
    sql = (
        f"select submitted_date as day, {_KPI_SELECT} from marts.fct_leads"
        " where {where} group by 1 order by 1"
    )
    return filtered(con, filters, "submitted_date", sql)
