"""The lead-quality page: TrustedForm certificate health, returns against each buyer's threshold,
duplicates and suppression-list hits over 3-45 day windows (marts in models/marts/quality)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

import duckdb
import pandas as pd

from dashboards.queries.filters import Filters, filtered

#: The windows of the duplicates view, in days (as fct_duplicates_windows).
WINDOWS = (3, 7, 15, 30, 45)
_SOLD_RETURNED = """
    sum(sold)::bigint as sold,
    sum(returned)::bigint as returned,
    sum(returned) / nullif(sum(sold), 0) as return_rate
"""
#: A buyer's return threshold when config/alerts.yaml sets none (buyers cap returns at 10-20%).
DEFAULT_RETURN_THRESHOLD = 0.15


@dataclass(frozen=True)
class ReturnRule:
    """The buyer_return_rate alert rule as the page applies it: thresholds and the window."""

    default: float = DEFAULT_RETURN_THRESHOLD
    per_buyer: tuple[tuple[str, float], ...] = ()
    window_days: int = 14
    mature_days: int = 5

    def window(self, filters: Filters, newest: date) -> Filters:
        """The alert's window: ``window_days`` delivery days ending ``mature_days`` before the
        filters' end (or ``newest``), when returns have arrived; flows and sources kept."""
        last = min(filters.end or newest, newest) - timedelta(days=self.mature_days)
        return replace(filters, start=last - timedelta(days=self.window_days - 1), end=last)


def return_rule(config) -> ReturnRule:
    """The first ``buyer_return_rate`` rule of an alerts config
    (``ingest.ops.config.AlertsConfig``); the defaults without one."""
    for rule in getattr(config, "rules", ()):
        if rule.kind == "buyer_return_rate":
            return ReturnRule(
                float(rule.get("max_return_rate")),
                tuple(sorted(rule.get("per_buyer").items())),
                int(rule.get("window_days")),
                int(rule.get("mature_days")),
            )
    return ReturnRule()


def returns_newest_day(con: duckdb.DuckDBPyConnection, filters: Filters) -> date | None:
    """The newest delivery day of fct_returns_daily."""
    return con.execute("select max(delivery_date) from marts.fct_returns_daily").fetchone()[0]


def trustedform_by_source(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Per source (all its flows) over the filtered check dates: certificates found, claimed,
    unclaimed (near expiry), expired, not found, missing; the claim rate; the share of forms
    typed, autofilled and pasted; the average age at claim (hours). Worst near-expiry first."""
    sql = """
        select
            source_name as source,
            sum(checks)::bigint as checks,
            sum(certificates)::bigint as certificates,
            sum(claimed)::bigint as claimed,
            sum(claimed) / nullif(sum(certificates), 0) as claim_rate,
            sum(unclaimed)::bigint as unclaimed,
            sum(unclaimed_near_expiry)::bigint as unclaimed_near_expiry,
            sum(unclaimed_near_expiry) / nullif(sum(certificates), 0) as near_expiry_rate,
            sum(expired)::bigint as expired,
            sum(not_found)::bigint as not_found,
            sum(missing)::bigint as missing,
            sum(typed) / nullif(sum(certificates), 0) as typed_share,
            sum(autofilled) / nullif(sum(certificates), 0) as autofill_share,
            sum(pasted) / nullif(sum(certificates), 0) as pasted_share,
            sum(age_at_claim_seconds_avg * claimed) / nullif(sum(claimed), 0) / 3600.0
                as age_at_claim_hours,
            min(unclaimed_min_hours_left) as min_hours_left
        from marts.fct_trustedform_health_daily
        where {where}
        group by 1
        order by near_expiry_rate desc nulls last, certificates desc, source
    """
    return filtered(con, filters, "check_date", sql)


def returns_by_buyer(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    default_threshold: float = DEFAULT_RETURN_THRESHOLD,
    per_buyer: tuple[tuple[str, float], ...] = (),
) -> pd.DataFrame:
    """Per buyer over the filtered delivery dates: leads sold, returned, the return rate, the
    buyer's threshold and whether it is over it (highest rate first)."""
    sql = f"""
        select
            recipient_name as buyer,
            {_SOLD_RETURNED},
            sum(returned_revenue)::double as returned_revenue
        from marts.fct_returns_daily
        where {{where}}
        group by 1
        order by return_rate desc nulls last, buyer
    """
    frame = filtered(con, filters, "delivery_date", sql)
    limits = dict(per_buyer)
    frame["threshold"] = [limits.get(buyer, default_threshold) for buyer in frame["buyer"]]
    frame["over_threshold"] = frame["return_rate"].fillna(0) > frame["threshold"]
    return frame


def returns_by_buyer_source(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Per buyer and source over the filtered delivery dates: sold, returned, return rate."""
    sql = f"""
        select
            recipient_name as buyer,
            source_name as source,
            {_SOLD_RETURNED}
        from marts.fct_returns_daily
        where {{where}}
        group by 1, 2
        order by 1, 2
    """
    return filtered(con, filters, "delivery_date", sql)


def return_reasons(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Returned leads per buyer and reason over the filtered delivery dates."""
    sql = """
        select
            recipient_name as buyer,
            return_reason as reason,
            sum(returned)::bigint as returned
        from marts.fct_return_reasons_daily
        where {where}
        group by 1, 2
        order by 1, 3 desc, 2
    """
    return filtered(con, filters, "delivery_date", sql)


def duplicates_newest_day(con: duckdb.DuckDBPyConnection, filters: Filters) -> date | None:
    """The newest day of fct_duplicates_daily (the windows' end when the filters have none)."""
    return con.execute("select max(day) from marts.fct_duplicates_daily").fetchone()[0]


def duplicates_by_window(
    con: duckdb.DuckDBPyConnection, filters: Filters, by: str = "source"
) -> pd.DataFrame:
    """Duplicates over the 3, 7, 15, 30 and 45 days ending on the filters' end date (or the
    newest day), per source (``by="source"``: its leads' duplicate rejections and
    suppression-list hits) or per buyer (``by="buyer"``: deliveries it refused as duplicates).
    The filters' flows and sources apply; their start date does not (each window reaches back
    its own length). One row per window and subject, with the windows' end (``as_of``)."""
    if by not in ("source", "buyer"):
        raise ValueError("by must be source or buyer")
    as_of = filters.end or duplicates_newest_day(con, filters)
    if as_of is None:
        return pd.DataFrame()
    if by == "source":
        subject = "source_name"
        rows = "recipient_id = '(none)'"
        sums = """
            sum(leads)::bigint as leads,
            sum(duplicate_rejections)::bigint as duplicate_rejections,
            sum(duplicate_rejections) / nullif(sum(leads), 0) as duplicate_rate,
            sum(suppression_checks)::bigint as suppression_checks,
            sum(suppression_hits)::bigint as suppression_hits,
            sum(suppression_hits) / nullif(sum(suppression_checks), 0) as suppression_hit_rate
        """
    else:
        subject = "recipient_name"
        rows = "recipient_id <> '(none)'"
        sums = """
            sum(deliveries)::bigint as deliveries,
            sum(buyer_duplicates)::bigint as buyer_duplicates,
            sum(buyer_duplicates) / nullif(sum(deliveries), 0) as buyer_duplicate_rate
        """
    sql = f"""
        select
            windows.window_days,
            {subject} as {by},
            {sums}
        from marts.fct_duplicates_daily as daily
        inner join (select unnest($windows) as window_days) as windows
            on daily.day > $as_of - windows.window_days and daily.day <= $as_of
        where {{where}} and {rows}
        group by 1, 2
        order by 2, 1
    """
    frame = filtered(
        con,
        replace(filters, start=None, end=None),
        "day",
        sql,
        params={"windows": list(WINDOWS), "as_of": as_of},
    )
    frame.insert(0, "as_of", as_of)
    return frame
