"""The acceptance page: outcomes per day, source and flow; by hour of day and weekday; the hours
in which a source's leads are rejected most."""

from __future__ import annotations

import duckdb
import pandas as pd

from dashboards.queries.filters import (
    ACCEPTANCE_RATE,
    LEADS_ACCEPTED_REJECTED,
    Filters,
    filtered,
)


def daily_outcomes(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Accepted, rejected and errored leads per day."""
    sql = f"""
        select
            submitted_date as day,
            sum(accepted)::bigint as accepted,
            sum(rejected)::bigint as rejected,
            sum(errored)::bigint as errored,
            sum(leads)::bigint as leads,
            {ACCEPTANCE_RATE}
        from marts.fct_acceptance_daily
        where {{where}}
        group by 1
        order by 1
    """
    return filtered(con, filters, "submitted_date", sql)


def _outcomes_by(con: duckdb.DuckDBPyConnection, filters: Filters, column: str) -> pd.DataFrame:
    alias = column.removesuffix("_name")
    sql = f"""
        select
            {column} as {alias},
            {LEADS_ACCEPTED_REJECTED},
            sum(errored)::bigint as errored,
            {ACCEPTANCE_RATE}
        from marts.fct_acceptance_daily
        where {{where}}
        group by 1
        order by leads desc, {alias}
    """
    return filtered(con, filters, "submitted_date", sql)


def outcomes_by_source(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Accepted and rejected leads per source over the filtered period, most leads first."""
    return _outcomes_by(con, filters, "source_name")


def outcomes_by_flow(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Accepted and rejected leads per flow over the filtered period, most leads first."""
    return _outcomes_by(con, filters, "flow_name")


def daily_acceptance_by_flow(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Acceptance rate per day and flow."""
    sql = f"""
        select
            submitted_date as day,
            flow_name as flow,
            sum(leads)::bigint as leads,
            sum(accepted)::bigint as accepted,
            {ACCEPTANCE_RATE}
        from marts.fct_acceptance_daily
        where {{where}}
        group by 1, 2
        order by 1, 2
    """
    return filtered(con, filters, "submitted_date", sql)


CLOCKS = {
    # clock -> (weekday expression, hour expression) over marts.fct_acceptance_hourly
    "local": ("local_weekday", "local_hour"),
    "utc": ("cast(dayofweek(submitted_date) as integer)", "submitted_hour_utc"),
}


def _hourly(con: duckdb.DuckDBPyConnection, filters: Filters, select: str) -> pd.DataFrame:
    """``select`` (two keys, then measures) over marts.fct_acceptance_hourly, by the two keys."""
    sql = f"""
        select {select}
        from marts.fct_acceptance_hourly
        where {{where}}
        group by 1, 2
        order by 1, 2
    """
    return filtered(con, filters, "submitted_date", sql)


def acceptance_by_hour_weekday(
    con: duckdb.DuckDBPyConnection, filters: Filters, clock: str = "local"
) -> pd.DataFrame:
    """Leads and acceptance by weekday (0 = Sunday) x hour of day, in the lead's local time
    (clock="local", from its state's time zone) or in UTC (clock="utc")."""
    weekday, hour = CLOCKS[clock]
    select = f"""
        {weekday} as weekday,
        {hour} as hour,
        {LEADS_ACCEPTED_REJECTED},
        {ACCEPTANCE_RATE}
    """
    return _hourly(con, filters, select)


def acceptance_by_source_hour(
    con: duckdb.DuckDBPyConnection, filters: Filters, clock: str = "utc"
) -> pd.DataFrame:
    """Leads, acceptance and rejection rate per source x hour of day (UTC or local)."""
    _, hour = CLOCKS[clock]
    select = f"""
        source_name as source,
        {hour} as hour,
        {LEADS_ACCEPTED_REJECTED},
        {ACCEPTANCE_RATE},
        sum(rejected) / nullif(sum(leads), 0) as rejection_rate
    """
    return _hourly(con, filters, select)


def rejection_prone_hours(
    by_source_hour: pd.DataFrame,
    *,
    min_hours: int = 2,
    max_hours: int = 6,
    min_leads: int = 20,
    min_score: float = 2.0,
) -> pd.DataFrame:
    """Per source, the run of consecutive hours of the day in which its leads are rejected most,
    compared with its other hours (a recurring pattern in the filtered period).

    Input: the rows of :func:`acceptance_by_source_hour`. For every source, every run of
    ``min_hours``..``max_hours`` consecutive hours (wrapping past midnight) is compared with the
    source's other hours by a two-proportion z score; the strongest run per source is kept when
    it has ``min_leads`` leads and a score of at least ``min_score``. Strongest first.

    Not the ``rejection_spike`` alert (``ingest.ops.alert_rules.rejection_spikes``): the alert tests
    each single UTC hour (pooled over its window, or each clock hour) against the source's baseline
    with a one-sided binomial z score and fixed thresholds (factor, minimum increase), over the
    alert window, not the dashboard's filters; this finds the strongest multi-hour band per source,
    on the page's clock, for the filtered period.
    """
    columns = [
        "source",
        "hours",
        "first_hour",
        "last_hour",
        "leads_in_hours",
        "rejection_rate_in_hours",
        "rejection_rate_other_hours",
        "score",
    ]
    found = []
    for source, rows in by_source_hour.groupby("source", sort=True):
        leads = rows.groupby("hour")["leads"].sum().reindex(range(24), fill_value=0).to_numpy()
        rejected = (
            rows.groupby("hour")["rejected"].sum().reindex(range(24), fill_value=0).to_numpy()
        )
        total_leads, total_rejected = leads.sum(), rejected.sum()
        best = None
        for length in range(min_hours, max_hours + 1):
            for first in range(24):
                hours = [(first + k) % 24 for k in range(length)]
                n_in, r_in = leads[hours].sum(), rejected[hours].sum()
                n_out, r_out = total_leads - n_in, total_rejected - r_in
                if n_in < min_leads or n_out < min_leads:
                    continue
                pooled = total_rejected / total_leads
                spread = (pooled * (1 - pooled) * (1 / n_in + 1 / n_out)) ** 0.5
                if spread == 0:
                    continue
                score = (r_in / n_in - r_out / n_out) / spread
                if best is None or score > best[0]:
                    best = (score, first, hours[-1], n_in, r_in / n_in, r_out / n_out)
        if best and best[0] >= min_score:
            score, first, last, n_in, rate_in, rate_out = best
            found.append(
                {
                    "source": source,
                    "hours": f"{first:02d}:00–{last:02d}:59",
                    "first_hour": first,
                    "last_hour": last,
                    "leads_in_hours": int(n_in),
                    "rejection_rate_in_hours": rate_in,
                    "rejection_rate_other_hours": rate_out,
                    "score": score,
                }
            )
    frame = pd.DataFrame.from_records(found, columns=columns)
    return frame.sort_values("score", ascending=False, ignore_index=True)
