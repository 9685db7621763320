"""What every page's queries share: the sidebar filters, the where clause they become, the helper
that runs a query under them (``filtered``) into a DataFrame, and select-list pieces.

Every value reaches SQL as a bound parameter; only column and table names chosen from fixed lists
in the query modules are ever formatted into the text. Streamlit is never imported here.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta

import duckdb
import pandas as pd

#: The reason category shown for a rejection or a failed delivery without one.
UNCATEGORISED = "uncategorised"

#: Select-list pieces over the marts' daily and hourly sums (leads, accepted, rejected).
LEADS_ACCEPTED_REJECTED = """
    sum(leads)::bigint as leads,
    sum(accepted)::bigint as accepted,
    sum(rejected)::bigint as rejected
"""
ACCEPTANCE_RATE = "sum(accepted) / nullif(sum(leads), 0) as acceptance_rate"


@dataclass(frozen=True)
class Filters:
    start: date | None = None
    end: date | None = None
    flows: tuple[str, ...] = field(default_factory=tuple)  # flow names; empty = all
    sources: tuple[str, ...] = field(default_factory=tuple)  # source names; empty = all

    def describe(self) -> str:
        """A short text for file names and captions."""
        parts = []
        if self.start or self.end:
            parts.append(f"{self.start or 'start'}_{self.end or 'end'}")
        if self.flows:
            parts.append(f"{len(self.flows)}flows")
        if self.sources:
            parts.append(f"{len(self.sources)}sources")
        return "_".join(parts) or "all"


def filter_where(filters: Filters, date_column: str) -> tuple[str, dict]:
    """The filters as a where clause on ``date_column``, flow_name and source_name, and its bound
    parameters."""
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


def to_frame(con: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None) -> pd.DataFrame:
    """Run ``sql`` with its parameters; the result as a DataFrame."""
    return con.execute(sql, params or {}).df()


def filtered(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    date_column: str,
    sql: str,
    *,
    also: str | None = None,
    params: dict | None = None,
) -> pd.DataFrame:
    """Run ``sql`` filtered: each ``{where}`` in it (``{{where}}`` inside an f-string) becomes
    the filters' where clause on ``date_column`` (:func:`filter_where`), and ``also`` when given
    (a condition of the caller's, bound by ``params``); the result as a DataFrame.

    A plain text replacement, not ``str.format``: the rest of the SQL may hold braces."""
    where, bound = filter_where(filters, date_column)
    if also:
        where += f" and {also}"
    return to_frame(con, sql.replace("{where}", where), {**bound, **(params or {})})


# --------------------------------------------------------------------------------------------
# Filters


def filter_options(con: duckdb.DuckDBPyConnection) -> dict:
    """Date bounds and the flow and source names the filters offer."""
    lo, hi = con.execute(
        "select min(submitted_date), max(submitted_date) from marts.fct_acceptance_daily"
    ).fetchone()
    flows = [
        r[0]
        for r in con.execute(
            "select distinct flow_name from marts.fct_acceptance_daily"
            " where flow_name is not null order by 1"
        ).fetchall()
    ]
    sources = [
        r[0]
        for r in con.execute(
            "select distinct source_name from marts.fct_acceptance_daily"
            " where source_name is not null order by 1"
        ).fetchall()
    ]
    return {"min_date": lo, "max_date": hi, "flows": flows, "sources": sources}


def previous_period(filters: Filters) -> Filters | None:
    """The period of the same length just before the filtered one (None without dates)."""
    if not (filters.start and filters.end):
        return None
    days = (filters.end - filters.start).days + 1
    return replace(
        filters,
        start=filters.start - timedelta(days=days),
        end=filters.start - timedelta(days=1),
    )
