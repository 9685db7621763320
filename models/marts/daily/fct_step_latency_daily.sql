{{ config(unique_key='event_date', partition_by=day_partition('event_date')) }}
-- Step latency percentiles (processing time `ms` and remote wait `wait_ms`) per day, step and
-- module (from int_step_timings: the event days this run rebuilds): where enhancement
-- bottlenecks are. Steps carry their human name (macros/step_names.sql, as dim_steps).
with

names as (

    {{ step_name_sources() | indent(4) }}

),

daily as (

    select
        event_date,
        step_id,
        event_type,
        {{ last_seen('module_id', 'started_at') }} as module_id,
        {{ last_seen("case when step_kind <> 'filter' then step_name end", 'started_at') }}
            as recipient_name,
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
    from {{ ref('int_step_timings') }}
    group by event_date, step_id, event_type, flow_id

),

final as (

    select
        daily.event_date,
        daily.step_id,
        daily.event_type,
        daily.module_id,
        {{ step_name(
            'names.configured_name', 'daily.recipient_name', 'names.stop_reason', 'daily.step_id'
        ) }} as step_name,
        daily.step_kind,
        daily.flow_id,
        daily.flow_name,
        daily.events,
        daily.ms_avg,
        daily.ms_p50,
        daily.ms_p95,
        daily.ms_p99,
        daily.ms_max,
        daily.wait_ms_p50,
        daily.wait_ms_p95
    from daily
    left join names
        on daily.step_id = names.step_id

)

select * from final
