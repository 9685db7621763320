"""Reading lead field values from the raw tables and writing the typed leads table.

Each lead's fields: its raw submission's values, overlaid with the `vars.lead` of its latest
source event (the event wins where both have a field, so a value LeadConduit already parsed,
`{normal, raw, valid, ...}`, keeps LeadConduit's own `valid`).

Incremental: a run parses only the leads whose submission or source event was loaded after the
watermark of the previous run (`typed.watermark`), and replaces their rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb
import polars as pl

from ingest.landing.hmac_key import SecretKey
from ingest.landing.raw_store import ensure_raw_schema, has_table
from ingest.pause_points import pause_point
from ingest.typed.contracts import ContractReport, validate_typed_leads
from ingest.typed.fields import FieldRegistry
from ingest.typed.leads import TypedLeadsResult, build_typed_leads
from ingest.warehouse import rollback

# Columns the marts read (models/staging/stg_typed__leads.sql); present even when no lead in the
# data carries the field, so the marts build on any data set.
REQUIRED_COLUMNS: dict[str, pl.DataType] = {
    "state__normal": pl.String,
    "phone_1__valid": pl.Boolean,
    "email__valid": pl.Boolean,
    "postal_code__valid": pl.Boolean,
}

LEAD_FIELDS_SQL = """
with touched as (
    select lead_id from raw.lead_submissions where ingested_at > $after
    union
    select lead_id from raw.lead_events where event_type = 'source' and ingested_at > $after
),
submissions as (
    select lead_id, cast(fields as varchar) as fields
    from raw.lead_submissions
    where lead_id in (select lead_id from touched)
    qualify row_number() over (
        partition by lead_id order by ingested_at, source_file, source_line
    ) = 1
),
source_events as (
    select lead_id, cast(payload -> '$.vars.lead' as varchar) as fields
    from raw.lead_events
    where event_type = 'source' and lead_id in (select lead_id from touched)
    qualify row_number() over (partition by lead_id order by event_at desc, event_id desc) = 1
)
select
    coalesce(submissions.lead_id, source_events.lead_id) as lead_id,
    case
        when submissions.fields is null then coalesce(source_events.fields, '{}')
        when source_events.fields is null or json_type(source_events.fields) <> 'OBJECT'
            then submissions.fields
        else cast(json_merge_patch(submissions.fields, source_events.fields) as varchar)
    end as fields
from submissions
full outer join source_events
    on submissions.lead_id = source_events.lead_id
order by lead_id
"""


EPOCH = "1970-01-01 00:00:00"


def watermark(con: duckdb.DuckDBPyConnection):
    """The raw load time up to which leads are typed (None before the first run)."""
    if not has_table(con, "typed", "watermark"):
        return None
    return con.execute("select max(loaded_through) from typed.watermark").fetchall()[0][0]


def raw_loaded_through(con: duckdb.DuckDBPyConnection):
    """The newest load time in the raw tables: the next watermark."""
    return con.execute(
        "select greatest((select max(ingested_at) from raw.lead_submissions),"
        " (select max(ingested_at) from raw.lead_events))"
    ).fetchall()[0][0]


def read_lead_fields(con: duckdb.DuckDBPyConnection, loaded_after=None) -> pl.DataFrame:
    """One row per lead (loaded after a time, all when None): `lead_id` and `fields` (JSON)."""
    con.execute("set variable after = ?", [loaded_after or EPOCH])
    sql = LEAD_FIELDS_SQL.replace("$after", "cast(getvariable('after') as timestamp)")
    return pl.from_arrow(con.sql(sql).to_arrow_table())


def with_required_columns(frame: pl.DataFrame) -> pl.DataFrame:
    missing = [pl.lit(None, dtype).alias(name) for name, dtype in REQUIRED_COLUMNS.items()
               if name not in frame.columns]  # fmt: skip
    return frame.with_columns(missing) if missing else frame


def write_typed_leads(
    con: duckdb.DuckDBPyConnection, frame: pl.DataFrame, loaded_through=None
) -> int:
    """Upsert the frame's leads into typed.leads (new fields become new columns) and move the
    watermark, in one transaction; returns the number of leads written. Each row written is
    stamped `built_at` (UTC): publish copies only the rows newer than the serving file's."""
    arrow = with_required_columns(frame).to_arrow()
    built_at = datetime.now(tz=UTC).replace(tzinfo=None).isoformat(sep=" ")
    con.execute("create schema if not exists typed")
    con.register("frame_rows", arrow)
    con.execute(  # stamped in DuckDB: a column added in Polars would copy the whole frame
        "create or replace temp view typed_frame as"
        f" select *, timestamp '{built_at}' as built_at from frame_rows"
    )
    try:
        con.execute("begin transaction")
        if not has_table(con, "typed", "leads"):
            con.execute("create table typed.leads as select * from typed_frame")
        else:
            existing = {
                r[0]
                for r in con.execute(
                    "select column_name from information_schema.columns"
                    " where table_schema = 'typed' and table_name = 'leads'"
                ).fetchall()
            }
            for column in con.execute("describe typed_frame").fetchall():
                if column[0] not in existing:
                    con.execute(f'alter table typed.leads add column "{column[0]}" {column[1]}')
            con.execute(
                "delete from typed.leads where lead_id in (select lead_id from typed_frame)"
            )
            con.execute("insert into typed.leads by name select * from typed_frame")
        pause_point("typed")  # rows replaced, watermark not yet: the transaction is open
        con.execute("create table if not exists typed.watermark (loaded_through timestamp)")
        if loaded_through is not None:
            con.execute("delete from typed.watermark")
            con.execute("insert into typed.watermark values (?)", [loaded_through])
        con.execute("commit")
    except BaseException:
        rollback(con)
        raise
    finally:
        con.execute("drop view typed_frame")
        con.unregister("frame_rows")
    return arrow.num_rows


@dataclass
class TypedUpdate:
    """One incremental run of typed parsing."""

    result: TypedLeadsResult
    contract: ContractReport
    loaded_after: object  # the previous watermark (None on the first run)
    written: int  # leads written (0 when the contract failed: nothing is written then)
    total: int  # rows in typed.leads afterwards


def update_typed_leads(
    con: duckdb.DuckDBPyConnection, registry: FieldRegistry, ssn_key: SecretKey | None = None
) -> TypedUpdate:
    """Parse the leads loaded since the watermark, check the contract, and write them only when
    it holds (a violation is a parser bug: the table stays as it was). ``ssn_key``: see
    ``build_typed_leads``."""
    ensure_raw_schema(con)  # a lake change a killed landing left: finished before it is read
    loaded_after = watermark(con)
    loaded_through = raw_loaded_through(con)
    result = build_typed_leads(read_lead_fields(con, loaded_after), registry, ssn_key=ssn_key)
    contract = validate_typed_leads(result.frame, registry)
    written = write_typed_leads(con, result.frame, loaded_through) if contract.ok else 0
    total = (
        con.execute("select count(*) from typed.leads").fetchall()[0][0]
        if has_table(con, "typed", "leads")
        else 0
    )
    return TypedUpdate(result, contract, loaded_after, written, total)
