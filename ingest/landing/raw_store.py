"""The raw schema of the warehouse: append-only tables for events, submissions, the manifest and
the quarantine, and the statements that fill them."""

from __future__ import annotations

import duckdb
import pyarrow as pa

RAW_DDL = """
create schema if not exists raw;

create table if not exists raw.lead_events (
    event_id     varchar not null,
    lead_id      varchar not null,
    event_type   varchar not null,
    outcome      varchar,
    event_at     timestamp not null,   -- start_timestamp (UTC)
    event_date   date not null,        -- partition key
    payload      varchar not null,     -- the event exactly as received (JSON, checked on read)
    source_file  varchar not null,
    source_line  integer not null,
    batch_id     varchar not null,
    ingested_at  timestamp not null
);

create table if not exists raw.lead_submissions (
    lead_id        varchar not null,
    submitted_at   timestamp not null,
    submitted_date date not null,
    account_id     varchar,
    account_name   varchar,
    flow_id        varchar,
    flow_name      varchar,
    source_id      varchar,
    source_name    varchar,
    fields         varchar not null,   -- JSON object: field id -> raw value, as submitted
    source_file    varchar not null,
    source_line    integer not null,
    batch_id       varchar not null,
    ingested_at    timestamp not null
);

create table if not exists raw.quarantine (
    dataset        varchar not null,   -- events | submissions
    source_file    varchar not null,
    source_line    integer not null,
    reason         varchar not null,
    raw_bytes      blob not null,      -- the original bytes
    raw_text       varchar,            -- the same, decoded with replacement characters
    batch_id       varchar not null,
    quarantined_at timestamp not null
);

create table if not exists raw.ingest_manifest (
    dataset        varchar not null,
    file_path      varchar not null,   -- relative to the landing zone
    content_hash   varchar not null,   -- sha256 of the bytes
    size_bytes     bigint not null,
    mtime_ns       bigint not null,
    status         varchar not null,   -- loaded | ignored
    note           varchar,
    records_read   integer not null,
    loaded         integer not null,
    duplicates     integer not null,
    quarantined    integer not null,
    batch_id       varchar not null,
    ingested_at    timestamp not null
);
"""

EVENTS_SCHEMA = pa.schema(
    [
        ("event_id", pa.string()),
        ("lead_id", pa.string()),
        ("event_type", pa.string()),
        ("outcome", pa.string()),
        ("event_at_ms", pa.int64()),
        ("payload", pa.string()),
        ("source_file", pa.string()),
        ("source_line", pa.int32()),
    ]
)

SUBMISSIONS_SCHEMA = pa.schema(
    [
        ("lead_id", pa.string()),
        ("submitted_at", pa.timestamp("us")),
        ("account_id", pa.string()),
        ("account_name", pa.string()),
        ("flow_id", pa.string()),
        ("flow_name", pa.string()),
        ("source_id", pa.string()),
        ("source_name", pa.string()),
        ("fields", pa.string()),
        ("source_file", pa.string()),
        ("source_line", pa.int32()),
    ]
)


def ensure_raw_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("set enable_progress_bar = false")
    con.execute(RAW_DDL)


def insert_events(con: duckdb.DuckDBPyConnection, staged: pa.Table, batch_id: str) -> None:
    """Insert staged events whose id is not in the table yet (the stage holds each id once)."""
    con.register("staged_events", staged)
    try:
        con.execute(
            """
            insert into raw.lead_events
            select
                s.event_id, s.lead_id, s.event_type, s.outcome,
                make_timestamp(s.event_at_ms * 1000),
                cast(make_timestamp(s.event_at_ms * 1000) as date),
                s.payload, s.source_file, s.source_line, $batch_id, (now() at time zone 'UTC')
            from staged_events as s
            where not exists (select 1 from raw.lead_events as e where e.event_id = s.event_id)
            """,
            {"batch_id": batch_id},
        )
    finally:
        con.unregister("staged_events")


def insert_submissions(con: duckdb.DuckDBPyConnection, staged: pa.Table, batch_id: str) -> None:
    """Insert staged submissions whose lead id is not in the table yet (a lead is submitted
    once; the stage holds each lead id once)."""
    con.register("staged_submissions", staged)
    try:
        con.execute(
            """
            insert into raw.lead_submissions
            select
                s.lead_id, s.submitted_at, cast(s.submitted_at as date),
                s.account_id, s.account_name, s.flow_id, s.flow_name, s.source_id, s.source_name,
                s.fields, s.source_file, s.source_line, $batch_id, (now() at time zone 'UTC')
            from staged_submissions as s
            where not exists (select 1 from raw.lead_submissions as r where r.lead_id = s.lead_id)
            """,
            {"batch_id": batch_id},
        )
    finally:
        con.unregister("staged_submissions")


def loaded_per_file(con: duckdb.DuckDBPyConnection, table: str, batch_id: str) -> dict[str, int]:
    rows = con.execute(
        f"select source_file, count(*) from raw.{table} where batch_id = ? group by 1", [batch_id]
    ).fetchall()
    return dict(rows)


def insert_quarantine(con: duckdb.DuckDBPyConnection, rows: list[tuple]) -> None:
    """rows: (dataset, source_file, source_line, reason, raw_bytes, batch_id)."""
    if not rows:
        return
    table = pa.table(
        {
            "dataset": [r[0] for r in rows],
            "source_file": [r[1] for r in rows],
            "source_line": pa.array([r[2] for r in rows], pa.int32()),
            "reason": [r[3] for r in rows],
            "raw_bytes": pa.array([r[4] for r in rows], pa.binary()),
            "raw_text": [r[4].decode("utf-8", errors="replace") for r in rows],
            "batch_id": [r[5] for r in rows],
        }
    )
    con.register("staged_quarantine", table)
    try:
        con.execute(
            "insert into raw.quarantine select dataset, source_file, source_line, reason,"
            " raw_bytes, raw_text, batch_id, (now() at time zone 'UTC') from staged_quarantine"
        )
    finally:
        con.unregister("staged_quarantine")


def latest_ingest_time(con: duckdb.DuckDBPyConnection):
    """When the newest raw event was loaded (None for an empty or new warehouse)."""
    ensure_raw_schema(con)
    return con.execute("select max(ingested_at) from raw.lead_events").fetchall()[0][0]


def event_date_range(con: duckdb.DuckDBPyConnection, loaded_after=None):
    """(first, last) event date of the raw events loaded after a time (all when None), or None."""
    ensure_raw_schema(con)
    sql = "select min(event_date), max(event_date) from raw.lead_events"
    params: list = []
    if loaded_after is not None:
        sql += " where ingested_at > ?"
        params.append(loaded_after)
    first, last = con.execute(sql, params).fetchall()[0]
    return None if first is None else (first, last)


def has_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables"
            " where table_schema = ? and table_name = ?",
            [schema, table],
        ).fetchall()[0][0]
    )
