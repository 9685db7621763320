"""SQL against the serving file -> DataFrames. Pure functions of (connection, filters, options).

Every value reaches SQL as a bound parameter; only column and table names chosen from fixed
lists in this module are ever formatted into the text. Streamlit is never imported here.
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd


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


def _where(filters: Filters, date_column: str, *, by_source: bool = True) -> tuple[str, dict]:
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
    if filters.sources and by_source:
        clauses.append("source_name in (select unnest($sources))")
        params["sources"] = list(filters.sources)
    return " and ".join(clauses), params


def _df(con: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None) -> pd.DataFrame:
    return con.execute(sql, params or {}).df()


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


# --------------------------------------------------------------------------------------------
# Overview

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
    frames = []
    for name, period in periods:
        where, params = _where(period, "submitted_date")
        frame = _df(con, f"select {_KPI_SELECT} from marts.fct_leads where {where}", params)
        frame.insert(0, "period", name)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def overview_daily(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """The same numbers per day of submission (UTC)."""
    where, params = _where(filters, "submitted_date")
    return _df(
        con,
        f"select submitted_date as day, {_KPI_SELECT} from marts.fct_leads"
        f" where {where} group by 1 order by 1",
        params,
    )


# --------------------------------------------------------------------------------------------
# Acceptance patterns


def daily_outcomes(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Accepted, rejected and errored leads per day."""
    where, params = _where(filters, "submitted_date")
    return _df(
        con,
        f"""
        select
            submitted_date as day,
            sum(accepted)::bigint as accepted,
            sum(rejected)::bigint as rejected,
            sum(errored)::bigint as errored,
            sum(leads)::bigint as leads,
            sum(accepted) / nullif(sum(leads), 0) as acceptance_rate
        from marts.fct_acceptance_daily
        where {where}
        group by 1
        order by 1
        """,
        params,
    )


def _outcomes_by(con: duckdb.DuckDBPyConnection, filters: Filters, column: str) -> pd.DataFrame:
    where, params = _where(filters, "submitted_date")
    alias = column.removesuffix("_name")
    return _df(
        con,
        f"""
        select
            {column} as {alias},
            sum(leads)::bigint as leads,
            sum(accepted)::bigint as accepted,
            sum(rejected)::bigint as rejected,
            sum(errored)::bigint as errored,
            sum(accepted) / nullif(sum(leads), 0) as acceptance_rate
        from marts.fct_acceptance_daily
        where {where}
        group by 1
        order by leads desc, {alias}
        """,
        params,
    )


def outcomes_by_source(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Accepted and rejected leads per source over the filtered period, most leads first."""
    return _outcomes_by(con, filters, "source_name")


def outcomes_by_flow(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Accepted and rejected leads per flow over the filtered period, most leads first."""
    return _outcomes_by(con, filters, "flow_name")


def daily_acceptance_by_flow(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Acceptance rate per day and flow."""
    where, params = _where(filters, "submitted_date")
    return _df(
        con,
        f"""
        select
            submitted_date as day,
            flow_name as flow,
            sum(leads)::bigint as leads,
            sum(accepted)::bigint as accepted,
            sum(accepted) / nullif(sum(leads), 0) as acceptance_rate
        from marts.fct_acceptance_daily
        where {where}
        group by 1, 2
        order by 1, 2
        """,
        params,
    )


CLOCKS = {
    # clock -> (weekday expression, hour expression) over marts.fct_acceptance_hourly
    "local": ("local_weekday", "local_hour"),
    "utc": ("cast(dayofweek(submitted_date) as integer)", "submitted_hour_utc"),
}


def acceptance_by_hour_weekday(
    con: duckdb.DuckDBPyConnection, filters: Filters, clock: str = "local"
) -> pd.DataFrame:
    """Leads and acceptance by weekday (0 = Sunday) x hour of day, in the lead's local time
    (clock="local", from its state's time zone) or in UTC (clock="utc")."""
    weekday, hour = CLOCKS[clock]
    where, params = _where(filters, "submitted_date")
    return _df(
        con,
        f"""
        select
            {weekday} as weekday,
            {hour} as hour,
            sum(leads)::bigint as leads,
            sum(accepted)::bigint as accepted,
            sum(rejected)::bigint as rejected,
            sum(accepted) / nullif(sum(leads), 0) as acceptance_rate
        from marts.fct_acceptance_hourly
        where {where}
        group by 1, 2
        order by 1, 2
        """,
        params,
    )


def acceptance_by_source_hour(
    con: duckdb.DuckDBPyConnection, filters: Filters, clock: str = "utc"
) -> pd.DataFrame:
    """Leads, acceptance and rejection rate per source x hour of day (UTC or local)."""
    _, hour = CLOCKS[clock]
    where, params = _where(filters, "submitted_date")
    return _df(
        con,
        f"""
        select
            source_name as source,
            {hour} as hour,
            sum(leads)::bigint as leads,
            sum(accepted)::bigint as accepted,
            sum(rejected)::bigint as rejected,
            sum(accepted) / nullif(sum(leads), 0) as acceptance_rate,
            sum(rejected) / nullif(sum(leads), 0) as rejection_rate
        from marts.fct_acceptance_hourly
        where {where}
        group by 1, 2
        order by 1, 2
        """,
        params,
    )


# --------------------------------------------------------------------------------------------
# Rejections

UNCATEGORISED = "uncategorised"


def _rejections_where(filters: Filters, category: str | None) -> tuple[str, dict]:
    where, params = _where(filters, "submitted_date")
    if category:
        where += f" and coalesce(reason_category, '{UNCATEGORISED}') = $category"
        params["category"] = category
    return where, params


def rejection_pareto(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Rejected leads per reason category, largest first, with share and cumulative share."""
    where, params = _where(filters, "submitted_date")
    return _df(
        con,
        f"""
        with by_category as (
            select coalesce(reason_category, '{UNCATEGORISED}') as reason_category,
                   sum(rejected)::bigint as rejected
            from marts.fct_rejections_daily
            where {where}
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
        """,
        params,
    )


def rejection_reasons(
    con: duckdb.DuckDBPyConnection, filters: Filters, category: str | None = None
) -> pd.DataFrame:
    """The raw reasons (as the step or source gave them), most frequent first."""
    where, params = _rejections_where(filters, category)
    return _df(
        con,
        f"""
        select
            coalesce(reason_category, '{UNCATEGORISED}') as reason_category,
            coalesce(reason, '(no reason given)') as reason,
            sum(rejected)::bigint as rejected,
            sum(rejected) / sum(sum(rejected)) over () as share
        from marts.fct_rejections_daily
        where {where}
        group by 1, 2
        order by rejected desc, reason
        """,
        params,
    )


def rejection_steps(
    con: duckdb.DuckDBPyConnection, filters: Filters, category: str | None = None
) -> pd.DataFrame:
    """Which step rejected: a filter step (by id), the acceptance criteria (or a cap), or no
    buyer taking the lead; per flow."""
    where, params = _rejections_where(filters, category)
    return _df(
        con,
        f"""
        with rejections as (
            select rejected_by, rejecting_step_id, flow_name, sum(rejected) as rejected
            from marts.fct_rejections_daily
            where {where}
            group by 1, 2, 3
        )
        select
            coalesce(rejected_by, 'unknown') as rejected_by,
            rejecting_step_id as step_id,
            case
                when rejected_by = 'filter' then 'filter ' || rejecting_step_id
                when rejected_by = 'acceptance_criteria' then 'acceptance criteria'
                when rejected_by = 'recipients' then 'no buyer took it'
                else coalesce(rejecting_step_id, 'unknown')
            end as step,
            flow_name as flow,
            rejected::bigint as rejected,
            rejected / sum(rejected) over () as share
        from rejections
        order by rejected desc, step, flow
        """,
        params,
    )


def rejections_by_source(
    con: duckdb.DuckDBPyConnection, filters: Filters, category: str | None = None
) -> pd.DataFrame:
    """Rejected leads per source and their share of the source's leads."""
    where, params = _rejections_where(filters, category)
    lead_where, lead_params = _where(filters, "submitted_date")
    return _df(
        con,
        f"""
        with rejections as (
            select source_name, sum(rejected)::bigint as rejected
            from marts.fct_rejections_daily
            where {where}
            group by 1
        ),
        leads as (
            select source_name, sum(leads)::bigint as leads
            from marts.fct_acceptance_daily
            where {lead_where}
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
        """,
        {**params, **lead_params},
    )


def rejections_daily(
    con: duckdb.DuckDBPyConnection, filters: Filters, category: str | None = None
) -> pd.DataFrame:
    """Rejected leads per day and reason category (or raw reason inside one category)."""
    where, params = _rejections_where(filters, category)
    group = (
        "coalesce(reason, '(no reason given)')"
        if category
        else (f"coalesce(reason_category, '{UNCATEGORISED}')")
    )
    return _df(
        con,
        f"""
        select submitted_date as day, {group} as reason, sum(rejected)::bigint as rejected
        from marts.fct_rejections_daily
        where {where}
        group by 1, 2
        order by 1, 3 desc, 2
        """,
        params,
    )


# --------------------------------------------------------------------------------------------
# Delivery

RECIPIENT_KINDS = ("delivery", "enhancement")


def _deliveries_where(filters: Filters, kind: str) -> tuple[str, dict]:
    if kind not in RECIPIENT_KINDS:
        raise ValueError(f"recipient kind must be one of {RECIPIENT_KINDS}, not {kind!r}")
    where, params = _where(filters, "delivery_date")
    params["kind"] = kind
    return where + " and recipient_kind = $kind", params


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
    where, params = _deliveries_where(filters, kind)
    return _df(
        con,
        f"""
        select
            recipient_name as recipient,
            {_DELIVERY_COUNTS},
            quantile_cont(latency_ms, 0.5) as latency_p50_ms,
            quantile_cont(latency_ms, 0.95) as latency_p95_ms,
            quantile_cont(latency_ms, 0.99) as latency_p99_ms,
            max(latency_ms) as latency_max_ms
        from marts.fct_deliveries
        where {where}
        group by 1
        order by attempted desc, recipient
        """,
        params,
    )


def delivery_daily(
    con: duckdb.DuckDBPyConnection, filters: Filters, kind: str = "delivery"
) -> pd.DataFrame:
    """Per day (of the first attempt, UTC) and recipient: outcomes, rates, revenue, p95 latency."""
    where, params = _deliveries_where(filters, kind)
    return _df(
        con,
        f"""
        select
            delivery_date as day,
            recipient_name as recipient,
            {_DELIVERY_COUNTS},
            quantile_cont(latency_ms, 0.95) as latency_p95_ms
        from marts.fct_deliveries
        where {where}
        group by 1, 2
        order by 1, 2
        """,
        params,
    )


def delivery_failures(
    con: duckdb.DuckDBPyConnection, filters: Filters, kind: str = "delivery"
) -> pd.DataFrame:
    """Failures and errors (final outcome after retries) per recipient and reason."""
    where, params = _deliveries_where(filters, kind)
    return _df(
        con,
        f"""
        select
            recipient_name as recipient,
            final_outcome as outcome,
            coalesce(final_reason_category, '{UNCATEGORISED}') as reason_category,
            coalesce(final_reason, '(no reason given)') as reason,
            count(*) as deliveries
        from marts.fct_deliveries
        where {where} and final_outcome in ('failure', 'error')
        group by 1, 2, 3, 4
        order by deliveries desc, recipient, reason
        """,
        params,
    )


# --------------------------------------------------------------------------------------------
# Source quality


def source_scorecard(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """The source-quality scorecard for the filtered period, one row per flow and source.

    The rates are recomputed from the daily sums (the marts' definitions: valid phone / with
    phone, returned / sold, purchase cost / accepted, profit / all cost); ``acceptance_trend``
    and ``return_trend`` are the daily rates in day order, for sparklines.
    """
    where, params = _where(filters, "submitted_date")
    return _df(
        con,
        f"""
        select
            source_name as source,
            flow_name as flow,
            sum(leads)::bigint as leads,
            sum(accepted)::bigint as accepted,
            sum(rejected)::bigint as rejected,
            sum(accepted) / nullif(sum(leads), 0) as acceptance_rate,
            sum(valid_phone) / nullif(sum(with_phone), 0) as valid_phone_rate,
            sum(valid_email) / nullif(sum(with_email), 0) as valid_email_rate,
            sum(sold_leads)::bigint as sold_leads,
            sum(returned)::bigint as returned,
            sum(returned) / nullif(sum(sold_leads), 0) as return_rate,
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
        where {where}
        group by 1, 2
        order by leads desc, source, flow
        """,
        params,
    )


def source_quality_daily(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Per day and source (all its flows): acceptance, valid-data and return rates."""
    where, params = _where(filters, "submitted_date")
    return _df(
        con,
        f"""
        select
            submitted_date as day,
            source_name as source,
            sum(leads)::bigint as leads,
            sum(accepted) / nullif(sum(leads), 0) as acceptance_rate,
            sum(valid_phone) / nullif(sum(with_phone), 0) as valid_phone_rate,
            sum(valid_email) / nullif(sum(with_email), 0) as valid_email_rate,
            sum(sold_leads)::bigint as sold_leads,
            sum(returned)::bigint as returned,
            sum(returned) / nullif(sum(sold_leads), 0) as return_rate,
            sum(profit)::double as profit
        from marts.fct_source_quality_daily
        where {where}
        group by 1, 2
        order by 2, 1
        """,
        params,
    )


# --------------------------------------------------------------------------------------------
# Lead lookup

LEAD_ID = re.compile(r"^[0-9a-f]{24}$")
EMAIL = re.compile(r"^[^@]+@[^@]+$")
PHONE = re.compile(r"(?P<number>[\d\s().+\-]+?)\s*(?:(?:x|ext\.?|extension)\s*\d+)?", re.I)


class TypedLeadsMissing(LookupError):
    """Email and phone search need the parsed fields (typed.leads), not published yet."""


def classify_search(term: str) -> tuple[str, str]:
    """What a search box holds: ("lead_id" | "email" | "phone" | "unknown", normalised value)."""
    text = (term or "").strip()
    if LEAD_ID.match(text.lower()):
        return "lead_id", text.lower()
    if EMAIL.match(text):
        return "email", text.lower()
    phone = PHONE.fullmatch(text)
    if phone:
        digits = re.sub(r"\D", "", phone.group("number"))
        if len(digits) == 11 and digits.startswith("1"):
            digits = digits[1:]
        if 7 <= len(digits) <= 15:
            return "phone", digits
    return "unknown", text


def typed_columns(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The columns of typed.leads in the serving file (empty when it is not published)."""
    return [
        r[0]
        for r in con.execute(
            "select column_name from duckdb_columns()"
            " where schema_name = 'typed' and table_name = 'leads' order by column_index"
        ).fetchall()
    ]


def find_leads(con: duckdb.DuckDBPyConnection, term: str, limit: int = 50) -> pd.DataFrame:
    """Leads matching a lead id, an email address or a phone number, newest first.

    A lead id is looked up in marts.fct_leads (then marts.fct_lead_events, for a lead without a
    source event yet). Email and phone need the parsed fields in typed.leads; without them
    :class:`TypedLeadsMissing` is raised. An unrecognisable term raises ValueError.
    """
    kind, value = classify_search(term)
    if kind == "unknown":
        raise ValueError(
            "Type a lead id (24 hexadecimal characters), an email address or a phone number."
        )
    if kind == "lead_id":
        return _matches_of(lead_summary(con, value), lambda: lead_events(con, value))
    columns = set(typed_columns(con))
    if not columns:
        raise TypedLeadsMissing(
            "Search by email or phone needs the parsed lead fields (typed.leads), which are not"
            " published in the serving file yet. Search by lead id instead."
        )
    if kind == "email":
        # the normalised address is lower case; the raw text only when it is not published
        if "email__normal" in columns:
            # an invalid address keeps its case: compare it lower-cased (few rows)
            candidates, match = ["email__normal"], "typed.email__normal = $value"
            if "email__valid" in columns:
                match += (
                    " or (not coalesce(typed.email__valid, false)"
                    " and lower(typed.email__normal) = $value)"
                )
        else:
            candidates = [c for c in ("email__raw",) if c in columns]
            match = "lower(trim(typed.email__raw)) = $value"
    else:
        phones = sorted(c for c in columns if re.match(r"^phone\w*__(normal|raw)$", c))
        normal = [c for c in phones if c.endswith("__normal")]
        # the raw text only when no normalised column is published (slower: a regex a row)
        raw = [] if normal else [c for c in phones if c.endswith("__raw")]
        candidates = normal + raw
        match = " or ".join(
            [f"(typed.{c} = $value or starts_with(typed.{c}, $value || 'x'))" for c in normal]
            + [f"regexp_replace(typed.{c}, '\\D', '', 'g') in ($value, '1' || $value)" for c in raw]
        )
    if not candidates:
        raise TypedLeadsMissing(
            f"The published parsed fields (typed.leads) hold no {kind} column to search."
        )
    ids = [
        r[0]
        for r in con.execute(
            f"select typed.lead_id from typed.leads as typed where {match}"
            f" order by typed.lead_id desc limit {int(limit)}",
            {"value": value},
        ).fetchall()
    ]
    if not ids:
        return pd.DataFrame(
            columns=["lead_id", "submitted_at", "flow", "source", "status", "reason"]
        )
    params: dict = {"ids": ids}
    days = [d for d in (_lead_day(i) for i in ids) if d is not None]
    within = ""
    if len(days) == len(ids):
        # ids carry their submission time: only those days' row groups are read
        within = " and leads.submitted_date between $first and $last"
        params |= {"first": min(days) - timedelta(days=1), "last": max(days) + timedelta(days=1)}
    return _df(
        con,
        f"""
        with matched as (select unnest($ids) as lead_id)
        select matched.lead_id, leads.submitted_at, leads.flow_name as flow,
               leads.source_name as source, coalesce(leads.lead_status, 'in progress') as status,
               leads.reason
        from matched
        left join marts.fct_leads as leads
            on matched.lead_id = leads.lead_id{within}
        order by leads.submitted_at desc nulls last, matched.lead_id desc
        """,
        params,
    )


@dataclass(frozen=True)
class LeadDetail:
    summary: pd.DataFrame  # the lead's row in marts.fct_leads (empty: no source event yet)
    events: pd.DataFrame  # its events in time order
    fields: pd.DataFrame | None  # its parsed fields (None: typed.leads not published)


def lead_detail(con: duckdb.DuckDBPyConnection, lead_id: str) -> LeadDetail:
    """Everything the lookup page shows about one lead, read on one connection."""
    return LeadDetail(
        summary=lead_summary(con, lead_id),
        events=lead_events(con, lead_id),
        fields=lead_fields(con, lead_id),
    )


@dataclass(frozen=True)
class LeadLookup:
    matches: pd.DataFrame  # lead_id, submitted_at, flow, source, status, reason; newest first
    detail: LeadDetail | None  # the newest match's detail (None: nothing matches)


def lookup(con: duckdb.DuckDBPyConnection, term: str, limit: int = 50) -> LeadLookup:
    """A search (lead id, email or phone, as :func:`find_leads`) and the detail of the newest
    match, on one connection: the lookup page's first render."""
    kind, value = classify_search(term)
    if kind == "lead_id":
        detail = lead_detail(con, value)
        matches = _matches_of(detail.summary, lambda: detail.events)
        return LeadLookup(matches, detail if not matches.empty else None)
    matches = find_leads(con, term, limit)
    detail = lead_detail(con, matches["lead_id"].iloc[0]) if not matches.empty else None
    return LeadLookup(matches, detail)


def _matches_of(summary: pd.DataFrame, events) -> pd.DataFrame:
    """The one-row match list of a lead id: from its fct_leads row, else from its events (a lead
    still in progress), else empty."""
    columns = ["lead_id", "submitted_at", "flow", "source", "status", "reason"]
    if not summary.empty:
        row = summary.iloc[0]
        values = [
            row["lead_id"],
            row["submitted_at"],
            row["flow_name"],
            row["source_name"],
            row["lead_status"],
            row["reason"],
        ]
        return pd.DataFrame([values], columns=columns)
    found = events()
    if found.empty:
        return pd.DataFrame(columns=columns)
    first = found.iloc[0]
    values = [
        first["lead_id"],
        found["started_at"].min(),
        first["flow_name"],
        first["source_name"],
        "in progress",
        None,
    ]
    return pd.DataFrame([values], columns=columns)


def lead_summary(con: duckdb.DuckDBPyConnection, lead_id: str) -> pd.DataFrame:
    """The lead's row in marts.fct_leads (empty when it has no source event yet)."""
    day = _lead_day(lead_id)
    if day is not None:
        # the id's timestamp is the submission time: lets DuckDB skip other days' row groups
        found = _df(
            con,
            "select * from marts.fct_leads where lead_id = $id"
            " and submitted_date between $first and $last",
            {"id": lead_id, "first": day - timedelta(days=1), "last": day + timedelta(days=1)},
        )
        if not found.empty:
            return found
    return _df(con, "select * from marts.fct_leads where lead_id = $id", {"id": lead_id})


def _lead_day(lead_id: str) -> date | None:
    """A BSON ObjectId starts with its creation time (seconds): the lead's submission day."""
    if not LEAD_ID.match(lead_id):
        return None
    return datetime.fromtimestamp(int(lead_id[:8], 16), tz=UTC).date()


def lead_events(con: duckdb.DuckDBPyConnection, lead_id: str) -> pd.DataFrame:
    """Every event of one lead in time order, with timings, money and HTTP transactions."""
    params: dict = {"id": lead_id}
    since = ""
    day = _lead_day(lead_id)
    if day is not None:
        # events never precede the submission: lets DuckDB skip older row groups
        since = " and event_date >= $since"
        params["since"] = day - timedelta(days=1)
    events = _df(
        con,
        f"""
        select
            event_id, lead_id, flow_name, source_name, event_type, outcome, reason,
            reason_category,
            started_at, ended_at, ms, wait_ms, overhead_ms, total_ms,
            step_id, module_id, recipient_kind, recipient_name, retry_status,
            recipient_event_id, feedback_type, feedback_reason, http_status,
            purchase_price::double as purchase_price, sale_price::double as sale_price,
            revenue::double as revenue, cost::double as cost,
            transaction_count, cast(transactions as varchar) as transactions
        from marts.fct_lead_events
        where lead_id = $id{since}
        order by started_at, ended_at, event_id
        """,
        params,
    )
    if events.empty and since:
        # an id that is not an ObjectId-like timestamp after all: look everywhere
        return lead_events_unbounded(con, lead_id)
    return events


def lead_events_unbounded(con: duckdb.DuckDBPyConnection, lead_id: str) -> pd.DataFrame:
    return _df(
        con,
        """
        select
            event_id, lead_id, flow_name, source_name, event_type, outcome, reason,
            reason_category,
            started_at, ended_at, ms, wait_ms, overhead_ms, total_ms,
            step_id, module_id, recipient_kind, recipient_name, retry_status,
            recipient_event_id, feedback_type, feedback_reason, http_status,
            purchase_price::double as purchase_price, sale_price::double as sale_price,
            revenue::double as revenue, cost::double as cost,
            transaction_count, cast(transactions as varchar) as transactions
        from marts.fct_lead_events
        where lead_id = $id
        order by started_at, ended_at, event_id
        """,
        {"id": lead_id},
    )


def lead_fields(con: duckdb.DuckDBPyConnection, lead_id: str) -> pd.DataFrame | None:
    """The lead's parsed fields, one row per field (None when typed.leads is not published)."""
    if not typed_columns(con):
        return None
    cursor = con.execute("select * from typed.leads where lead_id = $id", {"id": lead_id})
    row = cursor.fetchone()
    if row is None:
        return fields_long({})
    return fields_long(dict(zip([d[0] for d in cursor.description], row, strict=True)))


SHOWN_COMPONENTS = ("normal", "raw", "masked", "valid", "lc_valid", "hash")


def fields_long(row: dict) -> pd.DataFrame:
    """A typed.leads row (``<field>__<component>`` columns) as one row per field present:
    field, value (normal, else masked), raw, valid, LeadConduit's own valid, and the other
    components as text. ``valid`` False marks an invalid value."""
    by_field: dict[str, dict] = {}
    for column, value in row.items():
        if "__" not in column:
            continue
        prefix, component = column.rsplit("__", 1)
        by_field.setdefault(prefix, {})[component] = value
    records = []
    for prefix, parts in by_field.items():
        present = {k: v for k, v in parts.items() if not _missing(v)}
        if not present or set(present) <= {"valid", "lc_valid"}:
            continue
        value = present.get("normal", present.get("masked"))
        details = ", ".join(
            f"{k}={_text(v)}" for k, v in present.items() if k not in SHOWN_COMPONENTS
        )
        records.append(
            {
                "field": prefix,
                "value": _text(value),
                "raw": _text(present.get("raw")),
                "valid": _bool(present.get("valid")),
                "lc_valid": _bool(present.get("lc_valid")),
                "details": details,
            }
        )
    frame = pd.DataFrame.from_records(
        records, columns=["field", "value", "raw", "valid", "lc_valid", "details"]
    )
    frame["valid"] = frame["valid"].astype("boolean")
    frame["lc_valid"] = frame["lc_valid"].astype("boolean")
    return frame


def _missing(value) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _bool(value) -> bool | None:
    return None if _missing(value) else bool(value)


def _text(value) -> str | None:
    if _missing(value):
        return None
    if isinstance(value, datetime):
        value = pd.Timestamp(value)
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


SECRET_HEADER = re.compile(r"authorization|api[-_]?key|token|secret|password|cookie", re.I)
SECRET_URL_PARAM = re.compile(r"((?:api[-_]?key|token|secret|password|key)=)[^&#]+", re.I)
MASK = "•••"


def parse_transactions(text: str | None) -> list[dict]:
    """An event's HTTP transactions (JSON text) with credentials masked: headers that carry
    authorization, keys, tokens or cookies, and such parameters in URLs."""
    if not text:
        return []
    try:
        transactions = json.loads(text)
    except (TypeError, ValueError):
        return [{"unparsed": str(text)}]
    if not isinstance(transactions, list):
        transactions = [transactions]
    return [_mask(t) for t in transactions]


def _mask(value, key: str = ""):
    if isinstance(value, dict):
        return {
            k: (MASK if _is_secret_key(k) and not isinstance(v, (dict, list)) else _mask(v, k))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_mask(v, key) for v in value]
    if isinstance(value, str) and key.lower() in ("uri", "url"):
        return SECRET_URL_PARAM.sub(lambda m: m.group(1) + MASK, value)
    return value


def _is_secret_key(key: str) -> bool:
    return bool(SECRET_HEADER.search(key))


# --------------------------------------------------------------------------------------------
# SQL box

SQL_DEFAULT_LIMIT = 1000
SQL_MAX_LIMIT = 100_000


class SqlRefused(ValueError):
    """The text is not one read-only statement."""


class SqlTimeout(TimeoutError):
    """The query ran past its time limit and was interrupted."""


@dataclass(frozen=True)
class SqlResult:
    frame: pd.DataFrame
    truncated: bool  # more rows than the limit: only the first `limit` are in frame
    seconds: float
    statement: str


def read_only_statement(sql: str) -> str:
    """The single read statement in ``sql`` (without its semicolon), or SqlRefused saying why."""
    try:
        statements = duckdb.extract_statements(sql or "")
    except duckdb.Error as error:
        raise SqlRefused(f"The SQL does not parse: {error}") from None
    if not statements:
        raise SqlRefused("Type a query first, e.g. `select * from marts.fct_leads`.")
    if len(statements) > 1:
        raise SqlRefused(
            f"Only one statement at a time: found {len(statements)}. Remove the extra ones."
        )
    statement = statements[0]
    if statement.type != duckdb.StatementType.SELECT:
        kind = statement.type.name.lower().replace("_", " ")
        raise SqlRefused(
            f"Only read queries are allowed here (select, with, from, describe, summarize,"
            f" show): this is a {kind} statement. The serving file is read-only."
        )
    return statement.query.strip().rstrip(";").strip()


def run_sql(
    path: Path,
    sql: str,
    limit: int = SQL_DEFAULT_LIMIT,
    timeout: float = 10.0,
) -> SqlResult:
    """Run one read statement on its own read-only connection to the serving file.

    At most ``limit`` rows come back (the statement is wrapped in ``select * from (...) limit``);
    a query still running after ``timeout`` seconds is interrupted (SqlTimeout). Refused text
    raises SqlRefused; DuckDB's own errors (unknown table, bad column) propagate as duckdb.Error.
    """
    statement = read_only_statement(sql)
    limit = max(1, min(int(limit), SQL_MAX_LIMIT))
    wrapped = f"select * from (\n{statement}\n) as query_result limit {limit + 1}"
    from dashboards.serving import open_read_only  # no files, URLs or SET: the serving file only

    con = open_read_only(path)
    outcome: dict = {}

    def work() -> None:
        try:
            outcome["frame"] = con.execute(wrapped).df()
        except BaseException as error:  # handed to the caller's thread
            outcome["error"] = error

    started = time.perf_counter()
    worker = threading.Thread(target=work, name="leadwh-sql", daemon=True)
    try:
        worker.start()
        worker.join(timeout)
        if worker.is_alive():
            con.interrupt()
            worker.join()
            raise SqlTimeout(
                f"The query ran longer than {timeout:g} s and was stopped. Narrow it (a where"
                " clause on a date column, fewer columns) or raise the time limit."
            )
    finally:
        con.close()
    seconds = time.perf_counter() - started
    if "error" in outcome:
        error = outcome["error"]
        if isinstance(error, duckdb.InterruptException):
            raise SqlTimeout(f"The query was stopped after {timeout:g} s.") from None
        raise error
    frame = outcome["frame"]
    truncated = len(frame) > limit
    return SqlResult(frame.head(limit), truncated, seconds, statement)


# --------------------------------------------------------------------------------------------
# Analysis of query results (pure pandas)


def rejection_spikes(
    by_source_hour: pd.DataFrame,
    *,
    min_hours: int = 2,
    max_hours: int = 6,
    min_leads: int = 20,
    min_score: float = 2.0,
) -> pd.DataFrame:
    """Hours of the day when a source's leads are rejected far more than at its other hours.

    Input: the rows of :func:`acceptance_by_source_hour`. For every source, every run of
    ``min_hours``..``max_hours`` consecutive hours (wrapping past midnight) is compared with the
    source's other hours by a two-proportion z score; the strongest run per source is kept when
    it has ``min_leads`` leads and a score of at least ``min_score``. Strongest first.
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
