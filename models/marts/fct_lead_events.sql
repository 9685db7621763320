{{ config(materialized='incremental', unique_key='event_id', tags=['partitioned'],
    partition_by=day_partition('event_date')) }}
-- One row per event, kept for good: the history that survives the raw retention purge.
-- Rebuilds the events of the partition window, plus every event loaded since the last run
-- (late events land in the run after they arrive, whatever their date); the first run takes
-- every loaded event, so after any run every raw event is here. Each row is stamped
-- with the run that wrote it: the lead-level models rebuild the leads this run touched.
with

events as (

    select * from {{ ref('stg_leadconduit__events') }}
    {% if is_incremental() %}
        where {{ in_window('event_date') }}
            or {{ newer_than_latest_in('ingested_at', this, 'ingested_at') }}
    {% endif %}

),

-- The seeds' patterns are tried once per distinct reason and module id (a few dozen), not once
-- per event: a category depends on the reason alone, a recipient kind on the module id alone.
match_keys as (

    select distinct
        reason,
        module_id
    from events

),

reason_matches as (

    select
        match_keys.reason,
        min(reason_categories.priority) as category_priority
    from match_keys
    inner join {{ ref('reason_categories') }} as reason_categories
        on lower(match_keys.reason) like reason_categories.pattern
    group by match_keys.reason

),

module_matches as (

    select
        match_keys.module_id,
        min(recipient_modules.priority) as module_priority
    from match_keys
    inner join {{ ref('recipient_modules') }} as recipient_modules
        on match_keys.module_id like recipient_modules.pattern
    group by match_keys.module_id

),

final as (

    select
        events.event_id,
        events.lead_id,
        events.event_type,
        events.outcome,
        events.reason,
        case
            when events.reason is null then null
            else coalesce(reason_categories.category, 'other')
        end as reason_category,
        events.started_at,
        events.ended_at,
        events.event_date,
        cast({{ dbt.date_trunc('hour', 'events.started_at') }} as timestamp) as event_hour,
        events.ms,
        events.wait_ms,
        events.overhead_ms,
        events.total_ms,
        events.step_id,
        events.module_id,
        case
            when events.event_type in ('recipient', 'retry')
                then coalesce(recipient_modules.recipient_kind, 'delivery')
        end as recipient_kind,
        events.step_count,
        events.retry_status,
        events.recipient_event_id,
        events.account_id,
        events.account_name,
        events.flow_id,
        events.flow_name,
        events.source_id,
        events.source_name,
        events.recipient_id,
        events.recipient_name,
        events.submitted_at,
        events.feedback_type,
        events.feedback_reason,
        events.feedback_at,
        events.purchase_price,
        events.sale_price,
        events.revenue,
        events.cost,
        events.cap_reached,
        events.caps_reached,
        events.http_status,
        events.transaction_count,
        events.transactions,
        events.source_file,
        events.source_line,
        events.ingested_at,
        {{ this_run_at() }} as built_at
    from events
    left join reason_matches
        on events.reason = reason_matches.reason
    left join {{ ref('reason_categories') }} as reason_categories
        on reason_matches.category_priority = reason_categories.priority
    left join module_matches
        on events.module_id = module_matches.module_id
    left join {{ ref('recipient_modules') }} as recipient_modules
        on module_matches.module_priority = recipient_modules.priority

)

select * from final
