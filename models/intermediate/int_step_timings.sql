{{ config(materialized='table', tags=['partitioned']) }}
-- One row per timed step event (filters, deliveries, enhancements and their retries) on the event
-- days this run rebuilds: what the step is, and how long it took (processing, remote wait,
-- LeadConduit's overhead, and the wall-clock time from start to end).
with

days as (

    select day as event_date from {{ ref('int_days_affected') }}
    where day_kind = 'event'

),

step_events as (

    select events.*
    from {{ ref('fct_lead_events') }} as events
    inner join days
        on events.event_date = days.event_date
    where events.step_id is not null
        and events.event_type in ('filter', 'recipient', 'retry')
        and events.ms is not null

),

final as (

    select
        event_id,
        lead_id,
        event_date,
        started_at,
        step_id,
        event_type,
        coalesce(module_id, 'filter') as module_id,
        coalesce(recipient_name, 'filter') as step_name,
        coalesce(recipient_kind, 'filter') as step_kind,
        flow_id,
        flow_name,
        outcome,
        ms,
        wait_ms,
        overhead_ms,
        total_ms,
        {{ dbt.datediff('started_at', 'ended_at', 'millisecond') }} as elapsed_ms
    from step_events

)

select * from final
