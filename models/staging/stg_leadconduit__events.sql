-- One row per event id: the payload's keys as typed columns. Engine-specific JSON access stays
-- here, in staging, so the marts are portable SQL. raw.lead_events holds each event id once (the
-- landing step de-duplicates on it; tested on the source), so filters push down to the raw scan.
-- The payload is parsed once per row (parse_json into a struct); a value of the wrong type
-- becomes null rather than failing the build. Odd events are kept: an unknown event type as it
-- is (LeadConduit adds types; a dbt test warns), a missing flow or source id as '(missing)' (so
-- the lead still counts, under a flow or source a dashboard shows; a dbt test warns), an
-- end_timestamp in seconds read as such, and one that is not a plausible time replaced by the
-- start (macros/epoch_to_timestamp.sql).
with

parsed as (

    select
        *,
        {{ parse_json('payload', {
            "reason": "VARCHAR", "end_timestamp": "DOUBLE",
            "ms": "DOUBLE", "wait_ms": "DOUBLE", "overhead_ms": "DOUBLE", "total_ms": "DOUBLE",
            "step_id": "VARCHAR", "module_id": "VARCHAR", "package_version": "VARCHAR",
            "key": "VARCHAR", "step_count": "INTEGER", "retry_status": "VARCHAR",
            "recipient_event_id": "VARCHAR",
            "purchase_price": "DECIMAL(18,4)", "sale_price": "DECIMAL(18,4)",
            "revenue": "DECIMAL(18,4)", "cost": "DECIMAL(18,4)",
            "cap_reached": "BOOLEAN", "caps_reached": "BOOLEAN",
            "transactions": "JSON",
            "vars": {
                "account": {"id": "VARCHAR", "name": "VARCHAR"},
                "flow": {"id": "VARCHAR", "name": "VARCHAR"},
                "source": {"id": "VARCHAR", "name": "VARCHAR"},
                "recipient": {"id": "VARCHAR", "name": "VARCHAR"},
                "submission": {"timestamp": "VARCHAR"},
                "feedback": {"type": "VARCHAR", "reason": "VARCHAR", "timestamp": "VARCHAR"}
            }
        }) }} as p

    from {{ source('raw', 'lead_events') }}

),

renamed as (

    select
        parsed.event_id,
        parsed.lead_id,
        parsed.event_type,
        parsed.outcome,
        nullif(trim(p.reason), '') as reason,
        parsed.event_at as started_at,
        coalesce({{ epoch_to_timestamp('p.end_timestamp') }}, parsed.event_at) as ended_at,
        parsed.event_date,
        p.ms,
        p.wait_ms,
        p.overhead_ms,
        p.total_ms,
        p.step_id,
        p.module_id,
        p.package_version,
        p.key as integration_key,
        p.step_count,
        p.retry_status,
        lower(p.recipient_event_id) as recipient_event_id,
        p.vars.account.id as account_id,
        p.vars.account.name as account_name,
        {{ flow_and_source_of_payload('p') }},
        p.vars.recipient.id as recipient_id,
        p.vars.recipient.name as recipient_name,
        {{ iso_to_utc_timestamp('p.vars.submission.timestamp') }} as submitted_at,
        p.vars.feedback.type as feedback_type,
        p.vars.feedback.reason as feedback_reason,
        {{ iso_to_utc_timestamp('p.vars.feedback.timestamp') }} as feedback_at,
        coalesce(p.purchase_price, 0) as purchase_price,
        coalesce(p.sale_price, 0) as sale_price,
        coalesce(p.revenue, 0) as revenue,
        coalesce(p.cost, 0) as cost,
        p.cap_reached,
        p.caps_reached,
        try_cast({{ json_path_text('p.transactions', "'$[0].response.status'") }} as integer)
            as http_status,
        cast(coalesce(json_array_length(p.transactions), 0) as integer) as transaction_count,
        p.transactions,
        parsed.payload,
        parsed.source_file,
        parsed.source_line,
        parsed.batch_id,
        parsed.ingested_at

    from parsed

)

select * from renamed
