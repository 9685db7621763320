{{ config(unique_key='event_date') }}
-- Step latency percentiles (processing time `ms` and remote wait `wait_ms`) per day, step and
-- module (from int_step_timings: the event days this run rebuilds): where enhancement
-- bottlenecks are.
with

step_timings as (

    select * from {{ ref('int_step_timings') }}

),

final as (

    select
        event_date,
        step_id,
        event_type,
        {{ last_seen('module_id', 'started_at') }} as module_id,
        {{ last_seen('step_name', 'started_at') }} as step_name,
        {{ last_seen('step_kind', 'started_at') }} as step_kind,
        flow_id,
        {{ last_seen('flow_name', 'started_at') }} as flow_name,
        cast(count(*) as bigint) as events,
        cast(avg(ms) as double) as ms_avg,
        cast(percentile_cont(0.5) within group (order by ms) as double) as ms_p50,
        cast(percentile_cont(0.95) within group (order by ms) as double) as ms_p95,
        cast(percentile_cont(0.99) within group (order by ms) as double) as ms_p99,
        cast(max(ms) as double) as ms_max,
        cast(percentile_cont(0.5) within group (order by wait_ms) as double) as wait_ms_p50,
        cast(percentile_cont(0.95) within group (order by wait_ms) as double) as wait_ms_p95
    from step_timings
    group by event_date, step_id, event_type, flow_id

)

select * from final
