"""Reading lead field values from the raw tables and writing the typed leads table.

Each lead's fields: its raw submission's values, overlaid with the `vars.lead` of its latest
source event (the event wins where both have a field, so a value LeadConduit already parsed,
`{normal, raw, valid, ...}`, keeps LeadConduit's own `valid`).
"""

from __future__ import annotations

import duckdb
import polars as pl

# Columns the marts read (models/staging/stg_typed__leads.sql); present even when no lead in the
# data carries the field, so the marts build on any data set.
REQUIRED_COLUMNS: dict[str, pl.DataType] = {
    "state__normal": pl.String,
    "phone_1__valid": pl.Boolean,
    "email__valid": pl.Boolean,
    "postal_code__valid": pl.Boolean,
}

LEAD_FIELDS_SQL = """
with submissions as (
    select lead_id, cast(fields as varchar) as fields
    from raw.lead_submissions
    qualify row_number() over (partition by lead_id order by ingested_at, source_file, source_line) = 1
),
source_events as (
    select lead_id, cast(payload -> '$.vars.lead' as varchar) as fields
    from raw.lead_events
    where event_type = 'source'
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


def read_lead_fields(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """One row per lead: `lead_id` and `fields` (JSON object text)."""
    return pl.from_arrow(con.sql(LEAD_FIELDS_SQL).to_arrow_table())


def with_required_columns(frame: pl.DataFrame) -> pl.DataFrame:
    missing = [pl.lit(None, dtype).alias(name) for name, dtype in REQUIRED_COLUMNS.items()
               if name not in frame.columns]  # fmt: skip
    return frame.with_columns(missing) if missing else frame


def write_typed_leads(con: duckdb.DuckDBPyConnection, frame: pl.DataFrame) -> int:
    """Replace typed.leads with the frame (one transaction); returns the row count."""
    arrow = with_required_columns(frame).to_arrow()
    con.execute("create schema if not exists typed")
    con.register("typed_frame", arrow)
    try:
        con.execute("begin transaction")
        con.execute("create or replace table typed.leads as select * from typed_frame")
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    finally:
        con.unregister("typed_frame")
    return arrow.num_rows
