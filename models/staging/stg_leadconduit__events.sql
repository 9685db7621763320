-- One row per event id: the payload's keys as typed columns. Engine-specific JSON access stays
-- here, in staging, so the marts are portable SQL. raw.lead_events holds each event id once (the
-- landing step de-duplicates on it; tested on the source), so filters push down to the raw scan.
with

source as (

    select * from {{ source('raw', 'lead_events') }}

),

renamed as (

    select
        event_id,
        lead_id,
        event_type,
        outcome,
        nullif(trim(payload ->> '$.reason'), '') as reason,
        event_at as started_at,
        coalesce(
            make_timestamp(try_cast(payload ->> '$.end_timestamp' as bigint) * 1000), event_at
        ) as ended_at,
        event_date,
        try_cast(payload ->> '$.ms' as double) as ms,
        try_cast(payload ->> '$.wait_ms' as double) as wait_ms,
        try_cast(payload ->> '$.overhead_ms' as double) as overhead_ms,
        try_cast(payload ->> '$.total_ms' as double) as total_ms,
        payload ->> '$.step_id' as step_id,
        payload ->> '$.module_id' as module_id,
        payload ->> '$.package_version' as package_version,
        payload ->> '$.key' as integration_key,
        try_cast(payload ->> '$.step_count' as integer) as step_count,
        payload ->> '$.retry_status' as retry_status,
        lower(payload ->> '$.recipient_event_id') as recipient_event_id,
        payload ->> '$.vars.account.id' as account_id,
        payload ->> '$.vars.account.name' as account_name,
        payload ->> '$.vars.flow.id' as flow_id,
        payload ->> '$.vars.flow.name' as flow_name,
        payload ->> '$.vars.source.id' as source_id,
        payload ->> '$.vars.source.name' as source_name,
        payload ->> '$.vars.recipient.id' as recipient_id,
        payload ->> '$.vars.recipient.name' as recipient_name,
        cast(
            try_cast(payload ->> '$.vars.submission.timestamp' as timestamptz) at time zone 'UTC'
            as timestamp
        ) as submitted_at,
        payload ->> '$.vars.feedback.type' as feedback_type,
        payload ->> '$.vars.feedback.reason' as feedback_reason,
        cast(
            try_cast(payload ->> '$.vars.feedback.timestamp' as timestamptz) at time zone 'UTC'
            as timestamp
        ) as feedback_at,
        coalesce(try_cast(payload ->> '$.purchase_price' as decimal(18, 4)), 0) as purchase_price,
        coalesce(try_cast(payload ->> '$.sale_price' as decimal(18, 4)), 0) as sale_price,
        coalesce(try_cast(payload ->> '$.revenue' as decimal(18, 4)), 0) as revenue,
        coalesce(try_cast(payload ->> '$.cost' as decimal(18, 4)), 0) as cost,
        try_cast(payload ->> '$.cap_reached' as boolean) as cap_reached,
        try_cast(payload ->> '$.caps_reached' as boolean) as caps_reached,
        try_cast(payload ->> '$.transactions[0].response.status' as integer) as http_status,
        cast(coalesce(json_array_length(payload -> '$.transactions'), 0) as integer) as transaction_count,
        payload -> '$.transactions' as transactions,
        payload,
        source_file,
        source_line,
        batch_id,
        ingested_at

    from source

)

select * from renamed
