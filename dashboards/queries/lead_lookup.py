"""The lead lookup page: find leads by id, email or phone; one lead's row, events and parsed
fields; its HTTP transactions with credentials masked."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import duckdb
import pandas as pd

from dashboards.queries.filters import to_frame

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
    return to_frame(
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


#: One lead's row, with the human name of the step that rejected it (dim_steps).
LEAD_ROW = """
    select
        *,
        (select steps.step_name from marts.dim_steps as steps
         where steps.step_id = fct_leads.rejecting_step_id) as rejecting_step_name
    from marts.fct_leads
    where lead_id = $id"""


def lead_summary(con: duckdb.DuckDBPyConnection, lead_id: str) -> pd.DataFrame:
    """The lead's row in marts.fct_leads (empty when it has no source event yet)."""
    day = _lead_day(lead_id)
    if day is not None:
        # the id's timestamp is the submission time: lets DuckDB skip other days' row groups
        found = to_frame(
            con,
            LEAD_ROW + " and submitted_date between $first and $last",
            {"id": lead_id, "first": day - timedelta(days=1), "last": day + timedelta(days=1)},
        )
        if not found.empty:
            return found
    return to_frame(con, LEAD_ROW, {"id": lead_id})


def _lead_day(lead_id: str) -> date | None:
    """A BSON ObjectId starts with its creation time (seconds): the lead's submission day."""
    if not LEAD_ID.match(lead_id):
        return None
    return datetime.fromtimestamp(int(lead_id[:8], 16), tz=UTC).date()


#: One lead's events in time order; ``{since}`` narrows the days read (or is empty).
LEAD_EVENTS = """
        select
            event_id, lead_id, flow_name, source_name, event_type, outcome, reason,
            reason_category,
            started_at, ended_at, ms, wait_ms, overhead_ms, total_ms,
            step_id,
            (select steps.step_name from marts.dim_steps as steps
             where steps.step_id = fct_lead_events.step_id) as step_name,
            module_id, recipient_kind, recipient_name, retry_status,
            recipient_event_id, feedback_type, feedback_reason, http_status,
            purchase_price::double as purchase_price, sale_price::double as sale_price,
            revenue::double as revenue, cost::double as cost,
            transaction_count, cast(transactions as varchar) as transactions
        from marts.fct_lead_events
        where lead_id = $id{since}
        order by started_at, ended_at, event_id
"""


def lead_events(con: duckdb.DuckDBPyConnection, lead_id: str) -> pd.DataFrame:
    """Every event of one lead in time order, with timings, money and HTTP transactions."""
    params: dict = {"id": lead_id}
    since = ""
    day = _lead_day(lead_id)
    if day is not None:
        # events never precede the submission: lets DuckDB skip older row groups
        since = " and event_date >= $since"
        params["since"] = day - timedelta(days=1)
    events = to_frame(con, LEAD_EVENTS.format(since=since), params)
    if events.empty and since:
        # an id that is not an ObjectId-like timestamp after all: look everywhere
        return lead_events_unbounded(con, lead_id)
    return events


def lead_events_unbounded(con: duckdb.DuckDBPyConnection, lead_id: str) -> pd.DataFrame:
    return to_frame(con, LEAD_EVENTS.format(since=""), {"id": lead_id})


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
# the user:password@ of a URL (https://buyer:pw@host/...)
URL_CREDENTIALS = re.compile(r"^([a-z][a-z0-9+.-]*://)[^/?#@]*@", re.I)
MASK = "•••"


def parse_transactions(text: str | None) -> list[dict]:
    """An event's HTTP transactions (JSON text) with credentials masked: headers that carry
    authorization, keys, tokens or cookies, such parameters in URLs, and a URL's user:password."""
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
        value = URL_CREDENTIALS.sub(lambda m: m.group(1) + MASK + "@", value)
        return SECRET_URL_PARAM.sub(lambda m: m.group(1) + MASK, value)
    return value


def _is_secret_key(key: str) -> bool:
    return bool(SECRET_HEADER.search(key))
