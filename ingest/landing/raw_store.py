"""The raw schema of the warehouse: the manifest and the quarantine as tables of the warehouse
file, the events (current and superseded versions) and the submissions as Parquet day files of
its lake (``ingest.landing.lake``) read through views; and the statements that fill them.

Events: ``raw.lead_events`` holds the current version of each event id; a copy with the same id
and the same payload is a duplicate, one with a different payload (a corrected copy) is a new
version: the version landed last is current (within a batch, the later file and line), and
the versions it replaces move to ``raw.superseded_events``, so raw stays lossless. A copy of a
version already seen (current or superseded) is a duplicate, so re-landing an old file never
brings an old version back.

Quarantine: a record's identity is its dataset and the sha256 of its bytes (``record_hash``); a
record already quarantined is counted as a duplicate, never quarantined twice (a file changed and
landed again, the same bytes under a new name).

Scale: every lookup of what is stored already is a semi join from the stored table to the staged
batch (``stored.id in (select id from staged)``), never ``not exists`` from the batch into the
stored table. DuckDB pushes the batch's ids into the scan of the stored table as a dynamic filter
and skips every row group whose id range holds none of them; LeadConduit's ids are ObjectIds,
which start with their creation time, and raw rows are appended in landing order, so a batch of
new events reads the newest row groups only, however long the history
(``benchmarks/bench_dedup.py``). ``not exists`` is planned as an anti join that hashes the whole
stored table on every batch. Quarantine hashes are random, so that lookup reads the quarantine's
hash column whole (still without hashing the table). The lake's files keep their row groups'
id statistics; DuckDB prunes by them as by its own, but only for a constant list of ids, so the
versions of the ids found stored are read by their list (:func:`insert_events`)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa

from ingest.landing import lake
from ingest.warehouse import sql_literal

RAW_DDL = """
create schema if not exists raw;

create table if not exists raw.quarantine (
    dataset        varchar not null,   -- events | submissions
    source_file    varchar not null,
    source_line    integer not null,
    reason         varchar not null,
    raw_bytes      blob not null,      -- the original bytes
    raw_text       varchar,            -- the same, decoded with replacement characters
    batch_id       varchar not null,
    quarantined_at timestamp not null,
    record_hash    varchar             -- sha256 of raw_bytes: the record's identity
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

NOW = "(now() at time zone 'UTC')"
#: raw table -> the table holding the versions that corrected copies replaced in it
SUPERSEDED_IN = {"lead_events": "superseded_events"}


def with_versions(table: str) -> list[str]:
    """A raw table and, if it has one, the table of the versions it replaced."""
    return [table] + ([SUPERSEDED_IN[table]] if table in SUPERSEDED_IN else [])


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


#: The raw tables kept in the lake (``ingest.landing.lake``): Parquet day files, read through a
#: view ``raw.<table>`` of the same columns; the others are tables in the warehouse file.
_EVENT_COLUMNS = (
    ("event_id", "varchar"),
    ("lead_id", "varchar"),
    ("event_type", "varchar"),
    ("outcome", "varchar"),
    ("event_at", "timestamp"),  # start_timestamp (UTC)
    ("event_date", "date"),
    ("payload", "varchar"),  # the event exactly as received (JSON)
    ("source_file", "varchar"),
    ("source_line", "integer"),
    ("batch_id", "varchar"),
    ("ingested_at", "timestamp"),
)
EVENTS = lake.LakeTable("lead_events", _EVENT_COLUMNS, "event_date")
SUPERSEDED = lake.LakeTable(
    "superseded_events",
    (
        *_EVENT_COLUMNS,
        ("superseded_at", "timestamp"),  # when a newer version of the event replaced it
        ("superseded_by_batch", "varchar"),
    ),
    "event_date",
)
SUBMISSIONS = lake.LakeTable(
    "lead_submissions",
    (
        ("lead_id", "varchar"),
        ("submitted_at", "timestamp"),
        ("submitted_date", "date"),
        ("account_id", "varchar"),
        ("account_name", "varchar"),
        ("flow_id", "varchar"),
        ("flow_name", "varchar"),
        ("source_id", "varchar"),
        ("source_name", "varchar"),
        ("fields", "varchar"),  # JSON object: field id -> raw value
        ("source_file", "varchar"),
        ("source_line", "integer"),
        ("batch_id", "varchar"),
        ("ingested_at", "timestamp"),
    ),
    "submitted_date",
)
LAKE_TABLES = {table.name: table for table in (EVENTS, SUPERSEDED, SUBMISSIONS)}

# Warehouses created before a column existed get it (and its values) here.
MIGRATIONS = """
alter table raw.quarantine add column if not exists record_hash varchar;
update raw.quarantine set record_hash = sha256(raw_bytes) where record_hash is null;
-- the file's inode change time when landed, or when last found unchanged (null: not yet known)
alter table raw.ingest_manifest add column if not exists ctime_ns bigint;
-- records dated before the last retention purge's cutoff: not stored (ingest.ops.retention)
alter table raw.ingest_manifest add column if not exists expired integer default 0;
"""


def stored(table: str, key: str, staged: str, columns: str = "") -> str:
    """SQL: the rows of stored `table` whose `key` is in relation `staged` (a semi join: see the
    module's note on scale), as `columns` (default the key)."""
    return f"select {columns or key} from {table} where {key} in (select {key} from {staged})"


def ensure_raw_schema(con: duckdb.DuckDBPyConnection) -> None:
    """The raw schema, made current: tables and columns added, the lake's tables moved out of
    the warehouse file (once), and a lake change a killed writer left finished (the start-up
    repair of ``ingest.landing.lake``). Needs the warehouse open for writing."""
    con.execute("set enable_progress_bar = false")
    con.execute(RAW_DDL)
    con.execute(MIGRATIONS)
    lake.ensure_catalog(con)
    root = lake.root_of(con)
    old = [table for table in LAKE_TABLES.values() if _kind(con, table.name) == "BASE TABLE"]
    if old:
        _move_to_lake(con, root, old)
    pending = con.execute("select count(*) from raw.lake_files where state <> 'live'").fetchone()[0]
    if pending or any(_stale_view(con, root, name) for name in LAKE_TABLES):
        lake.settle(con, root, LAKE_TABLES.values())


def _stale_view(con: duckdb.DuckDBPyConnection, root: Path, table: str) -> bool:
    """The view of a lake table is missing, or reads files of another folder (the warehouse
    was moved, or restored elsewhere with its lake)."""
    found = con.execute(
        "select sql from duckdb_views() where schema_name = 'raw' and view_name = ?", [table]
    ).fetchall()
    return not found or ("read_parquet(" in found[0][0] and f"'{root}/" not in found[0][0])


def store_rows(
    con: duckdb.DuckDBPyConnection, table: str, relation: str, params: list | None = None
) -> None:
    """The rows of `relation` (a query with raw.<table>'s columns, and its `params`) stored as
    they are, with none of landing's checks: a history for tests and benchmarks."""
    if table not in LAKE_TABLES:
        con.execute(f"insert into raw.{table} {relation}", params or [])
        return
    root = lake.root_of(con)
    # the columns by position, as an insert takes them
    named = f"select * from ({relation}) as t({LAKE_TABLES[table].names})"
    added = lake.write(con, root, LAKE_TABLES[table], named, "stored", params)
    lake.apply(con, root, LAKE_TABLES.values(), added, batch_id="stored")


def _kind(con: duckdb.DuckDBPyConnection, table: str) -> str | None:
    """'BASE TABLE', 'VIEW' or None: what ``raw.<table>`` is."""
    found = con.execute(
        "select table_type from information_schema.tables"
        " where table_schema = 'raw' and table_name = ?",
        [table],
    ).fetchall()
    return found[0][0] if found else None


def _move_to_lake(con: duckdb.DuckDBPyConnection, root: Path, tables: list[lake.LakeTable]) -> None:
    """A warehouse from before the lake: the tables' rows written out as day files, then in one
    transaction the files catalogued and the tables dropped; the views take their places when
    the files are settled. Killed before the commit, the tables are still there (and the files
    are swept); after it, the next start settles the files."""
    added = [
        new
        for table in tables
        for new in lake.write(con, root, table, f"select * from raw.{table.name}", "moved")
    ]
    drop = "; ".join(f"drop table raw.{table.name}" for table in tables)
    lake.apply(con, root, LAKE_TABLES.values(), added, batch_id="moved", also=drop)


#: Landing's events not yet written to the lake (temporary tables of the connection, in the
#: chunk's transaction: a rollback takes them back): current versions, superseded versions, and
#: the stored rows (file, row number) that new versions replace.
PENDING = {
    "events": "landing_events",
    "superseded": "landing_superseded",
    "replaced": "landing_replaced",
}
#: Up to this many ids, the stored versions of an event id list are read by a literal list,
#: which prunes the lake's row groups by their id statistics (a subquery's ids do not).
LITERAL_IDS = 5000


def _ids_in(ids: list[str]) -> str:
    """SQL: ``event_id in (...)`` for ids known in Python."""
    if not ids:
        return "false"
    if len(ids) > LITERAL_IDS:
        return "event_id in (select unnest($ids))"
    return f"event_id in ({', '.join(sql_literal(i) for i in ids)})"


def forget_pending(con: duckdb.DuckDBPyConnection) -> None:
    """Drop the pending tables (a landing run starts with none)."""
    for name in PENDING.values():
        con.execute(f"drop table if exists temp.{name}")


def _ensure_pending(con: duckdb.DuckDBPyConnection) -> None:
    for table, name in ((EVENTS, PENDING["events"]), (SUPERSEDED, PENDING["superseded"])):
        columns = ", ".join(f'"{column}" {kind}' for column, kind in table.columns)
        con.execute(f"create temp table if not exists {name} ({columns})")
    con.execute(
        f"create temp table if not exists {PENDING['replaced']}"
        " (filename varchar, file_row_number bigint)"
    )


def insert_events(
    con: duckdb.DuckDBPyConnection, staged: pa.Table, batch_id: str
) -> dict[str, int]:
    """Stage for the lake the staged events (in landing order, column ``seq``) that are new
    versions: the last new version of each id becomes current, the others and the versions it
    replaces are superseded. Copies of a version already stored (or pending) are duplicates
    (left out). Payloads are compared only for the ids seen twice (in the batch, or stored
    already). :func:`write_events` writes what is pending, in the same transaction. Returns the
    events inserted (current or superseded) per landing file."""
    _ensure_pending(con)
    events, superseded, replaced = PENDING["events"], PENDING["superseded"], PENDING["replaced"]
    con.register("staged_events", staged)
    try:
        # two statements: the stored ids (semi joins), then those ids' versions by their list
        known_ids = [
            row[0]
            for row in con.execute(
                " union ".join(
                    stored(table, "event_id", "staged_events")
                    for table in ("raw.lead_events", "raw.superseded_events", events, superseded)
                )
            ).fetchall()
        ]
        where = _ids_in(known_ids)
        params = {"ids": known_ids} if len(known_ids) > LITERAL_IDS else {}
        con.execute(
            "create or replace temp table landing_known as "
            + " union all ".join(
                f"select event_id, payload from {table} where {where}"
                for table in ("raw.lead_events", "raw.superseded_events", events, superseded)
            ),
            params,
        )
        con.execute(
            """
            create or replace temp table landing_fresh as
            with compared_ids as (
                select event_id from staged_events group by event_id having count(*) > 1
                union
                select event_id from landing_known
            ),
            compared as (
                select seq, event_id, payload, source_file from staged_events
                where event_id in (select event_id from compared_ids)
                qualify row_number() over (partition by event_id, payload order by seq) = 1
            ),
            fresh as (
                select seq, event_id, source_file from staged_events
                where event_id not in (select event_id from compared_ids)
                union all
                select seq, event_id, source_file from compared
                where not exists (
                    select 1 from landing_known as known
                    where known.event_id = compared.event_id and known.payload = compared.payload
                )
            )
            select seq, event_id, source_file,
                row_number() over (partition by event_id order by seq desc) = 1 as is_current
            from fresh
            """
        )
        corrected = [
            row[0]
            for row in con.execute(
                "select distinct event_id from landing_fresh"
                " where event_id in (select event_id from landing_known)"
            ).fetchall()
        ]
        if corrected:  # the current versions they replace, stored or pending, are superseded
            root = lake.root_of(con)
            where = _ids_in(corrected)
            params = {"ids": corrected} if len(corrected) > LITERAL_IDS else {}
            con.execute(
                f"""
                create or replace temp table landing_replacing as
                select * from {lake.keyed(con, root, EVENTS)} as k
                where {where} and not exists (
                    select 1 from {replaced} as r
                    where r.filename = k.filename and r.file_row_number = k.file_row_number
                )
                """,
                params,
            )
            con.execute(
                f"insert into {superseded} select {EVENTS.names}, {NOW}, $batch_id"
                " from landing_replacing",
                {"batch_id": batch_id},
            )
            con.execute(
                f"insert into {replaced} select filename, file_row_number from landing_replacing"
            )
            con.execute("drop table landing_replacing")
            con.execute(
                f"insert into {superseded} select *, {NOW}, $batch_id from {events}"
                " where event_id in (select event_id from landing_fresh)",
                {"batch_id": batch_id},
            )
            con.execute(
                f"delete from {events} where event_id in (select event_id from landing_fresh)"
            )
        rows = f"""
            select
                s.event_id, s.lead_id, s.event_type, s.outcome,
                make_timestamp(s.event_at_ms * 1000),
                cast(make_timestamp(s.event_at_ms * 1000) as date),
                s.payload, s.source_file, s.source_line, $batch_id, {NOW}
            from staged_events as s
            inner join landing_fresh as f
                on s.seq = f.seq
        """
        con.execute(
            f"insert into {superseded} select *, {NOW}, $batch_id from ({rows}"
            " where not f.is_current)",
            {"batch_id": batch_id},
        )
        con.execute(f"insert into {events} {rows} where f.is_current", {"batch_id": batch_id})
        loaded = con.execute(
            "select source_file, count(*) from landing_fresh group by 1"
        ).fetchall()
        return dict(loaded)
    finally:
        con.execute("drop table if exists landing_fresh")
        con.execute("drop table if exists landing_known")
        con.unregister("staged_events")


def write_events(
    con: duckdb.DuckDBPyConnection, batch_id: str
) -> tuple[list[lake.NewFile], list[str]]:
    """Write the pending events (:func:`insert_events`) as lake files, in the caller's
    transaction, for it to commit (``lake.commit``) and settle: the new current and superseded
    versions, and the day files holding replaced versions written again without them. Returns
    (the new files, the replaced files); the pending tables are emptied."""
    if not _has_pending(con):
        return [], []
    root = lake.root_of(con)
    added = lake.write(con, root, EVENTS, f"select * from {PENDING['events']}", batch_id)
    added += lake.write(con, root, SUPERSEDED, f"select * from {PENDING['superseded']}", batch_id)
    edits = f"select *, true as remove from {PENDING['replaced']}"
    rewritten, dropped = lake.rewrite(con, root, EVENTS, edits, (), batch_id)
    forget_pending(con)
    return added + rewritten, dropped


def _has_pending(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(
        con.execute(
            "select count(*) from duckdb_tables() where temporary and table_name = ?",
            [PENDING["events"]],
        ).fetchone()[0]
    )


def insert_submissions(
    con: duckdb.DuckDBPyConnection, staged: pa.Table, batch_id: str
) -> tuple[list[lake.NewFile], dict[str, int]]:
    """Write the staged submissions whose lead id is not stored yet (a lead is submitted once;
    the stage holds each lead id once) as lake files, for the caller to commit
    (``lake.commit``) and settle. Returns the files and the submissions written per landing
    file. Stored ids are looked up as the module says."""
    con.register("staged_submissions", staged)
    try:
        con.execute(
            f"""
            create or replace temp table landing_submissions as
            with known as ({stored("raw.lead_submissions", "lead_id", "staged_submissions")})
            select
                s.lead_id, s.submitted_at, cast(s.submitted_at as date) as submitted_date,
                s.account_id, s.account_name, s.flow_id, s.flow_name, s.source_id, s.source_name,
                s.fields, s.source_file, s.source_line, $batch_id as batch_id,
                (now() at time zone 'UTC') as ingested_at
            from staged_submissions as s
            where s.lead_id not in (select lead_id from known)
            """,
            {"batch_id": batch_id},
        )
        files = lake.write(
            con, lake.root_of(con), SUBMISSIONS, "select * from landing_submissions", batch_id
        )
        loaded = con.execute(
            "select source_file, count(*) from landing_submissions group by 1"
        ).fetchall()
        return files, dict(loaded)
    finally:
        con.execute("drop table if exists landing_submissions")
        con.unregister("staged_submissions")


def quarantined_per_file(con: duckdb.DuckDBPyConnection, batch_id: str) -> dict[str, int]:
    """Records a batch quarantined, per file."""
    rows = con.execute(
        "select source_file, count(*) from raw.quarantine where batch_id = ? group by 1",
        [batch_id],
    ).fetchall()
    return dict(rows)


def insert_quarantine(con: duckdb.DuckDBPyConnection, rows: list[tuple]) -> None:
    """rows: (dataset, source_file, source_line, reason, raw_bytes, batch_id). A record whose
    bytes are quarantined already (same dataset) is left out: the caller counts it a duplicate."""
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
            "seq": pa.array(range(len(rows)), pa.int64()),
        }
    )
    con.register("staged_quarantine", table)
    try:
        con.execute(
            f"""
            insert into raw.quarantine (
                dataset, source_file, source_line, reason, raw_bytes, raw_text, batch_id,
                quarantined_at, record_hash
            )
            with hashed as (
                select *, sha256(raw_bytes) as record_hash from staged_quarantine
            ),
            known as ({stored("raw.quarantine", "record_hash", "hashed", "dataset, record_hash")})
            select
                dataset, source_file, source_line, reason, raw_bytes, raw_text, batch_id,
                (now() at time zone 'UTC'), record_hash
            from hashed
            where not exists (
                select 1 from known
                where known.dataset = hashed.dataset and known.record_hash = hashed.record_hash
            )
            qualify row_number() over (partition by dataset, record_hash order by seq) = 1
            order by seq
            """
        )
    finally:
        con.unregister("staged_quarantine")


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
