"""SQL against the serving file -> DataFrames. Pure functions of (connection, filters)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import duckdb
import pandas as pd


@dataclass(frozen=True)
class Filters:
    start: date | None = None
    end: date | None = None
    flows: tuple[str, ...] = field(default_factory=tuple)  # flow names; empty = all
    sources: tuple[str, ...] = field(default_factory=tuple)  # source names; empty = all


def _where(filters: Filters, date_column: str) -> tuple[str, dict]:
    clauses, params = ["1 = 1"], {}
    if filters.start:
        clauses.append(f"{date_column} >= $start")
        params["start"] = filters.start
    if filters.end:
        clauses.append(f"{date_column} <= $end")
        params["end"] = filters.end
    if filters.flows:
        clauses.append("flow_name in (select unnest($flows))")
        params["flows"] = list(filters.flows)
    if filters.sources:
        clauses.append("source_name in (select unnest($sources))")
        params["sources"] = list(filters.sources)
    return " and ".join(clauses), params


def filter_options(con: duckdb.DuckDBPyConnection) -> dict:
    """Date bounds and the flow and source names the filters offer."""
    lo, hi = con.execute(
        "select min(submitted_date), max(submitted_date) from marts.fct_acceptance_daily"
    ).fetchone()
    flows = [
        r[0]
        for r in con.execute(
            "select distinct flow_name from marts.fct_acceptance_daily where flow_name is not null order by 1"
        ).fetchall()
    ]
    sources = [
        r[0]
        for r in con.execute(
            "select distinct source_name from marts.fct_acceptance_daily where source_name is not null order by 1"
        ).fetchall()
    ]
    return {"min_date": lo, "max_date": hi, "flows": flows, "sources": sources}


def daily_outcomes(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Accepted, rejected and errored leads per day."""
    where, params = _where(filters, "submitted_date")
    return con.execute(
        f"""
        select
            submitted_date as day,
            sum(accepted) as accepted,
            sum(rejected) as rejected,
            sum(errored) as errored,
            sum(leads) as leads,
            sum(accepted) / nullif(sum(leads), 0) as acceptance_rate
        from marts.fct_acceptance_daily
        where {where}
        group by 1
        order by 1
        """,
        params,
    ).df()


def outcomes_by_source(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Accepted and rejected leads per source over the filtered period, most leads first."""
    where, params = _where(filters, "submitted_date")
    return con.execute(
        f"""
        select
            source_name as source,
            sum(leads) as leads,
            sum(accepted) as accepted,
            sum(rejected) as rejected,
            sum(errored) as errored,
            sum(accepted) / nullif(sum(leads), 0) as acceptance_rate
        from marts.fct_acceptance_daily
        where {where}
        group by 1
        order by leads desc, source
        """,
        params,
    ).df()
