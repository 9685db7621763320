{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='event_date',
        tags=['partitioned'],
    )
}}
-- Step latency percentiles (processing time `ms` and remote wait `wait_ms`) per day, step and
-- module: where enhancement bottlenecks are.
with

events as (

    select * from {{ ref('fct_lead_events') }}

),

days as (

    select day as event_date from {{ ref('int_days_affected') }} where day_kind = 'event'

),

step_events as (

    select events.*
    from events
    inner join days
        on events.event_date = days.event_date
    where events.step_id is not null
        and events.event_type in ('filter', 'recipient', 'retry')
        and events.ms is not null

),

final as (

    select
        event_date,
        step_id,
        event_type,
        coalesce(module_id, 'filter') as module_id,
        coalesce(recipient_name, 'filter') as step_name,
        coalesce(recipient_kind, 'filter') as step_kind,
        flow_id,
        flow_name,
        cast(count(*) as bigint) as events,
        cast(avg(ms) as double) as ms_avg,
        cast(percentile_cont(0.5) within group (order by ms) as double) as ms_p50,
        cast(percentile_cont(0.95) within group (order by ms) as double) as ms_p95,
        cast(percentile_cont(0.99) within group (order by ms) as double) as ms_p99,
        cast(max(ms) as double) as ms_max,
        cast(percentile_cont(0.5) within group (order by wait_ms) as double) as wait_ms_p50,
        cast(percentile_cont(0.95) within group (order by wait_ms) as double) as wait_ms_p95
    from step_events
    group by
        event_date, step_id, event_type, coalesce(module_id, 'filter'),
        coalesce(recipient_name, 'filter'), coalesce(recipient_kind, 'filter'), flow_id, flow_name

)

select * from final
