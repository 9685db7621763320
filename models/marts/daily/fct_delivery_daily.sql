{{ config(unique_key='delivery_date') }}
-- Delivery and enhancement results by day and recipient step: success, failure, error and skip
-- counts and rates (final outcome after retries), revenue and latency percentiles.
with

deliveries as (

    select * from {{ ref('fct_deliveries') }}

),

days as (

    select day as delivery_date from {{ ref('int_days_affected') }}
    where day_kind = 'delivery'

),

daily as (

    select
        deliveries.delivery_date,
        deliveries.recipient_id,
        {{ last_seen('deliveries.recipient_name', 'deliveries.started_at') }} as recipient_name,
        {{ last_seen('deliveries.recipient_kind', 'deliveries.started_at') }} as recipient_kind,
        deliveries.step_id,
        deliveries.flow_id,
        {{ last_seen('deliveries.flow_name', 'deliveries.started_at') }} as flow_name,
        count(*) as attempted,
        sum(case when deliveries.final_outcome = 'success' then 1 else 0 end) as succeeded,
        sum(case when deliveries.final_outcome = 'failure' then 1 else 0 end) as failed,
        sum(case when deliveries.final_outcome = 'error' then 1 else 0 end) as errored,
        sum(case when deliveries.final_outcome = 'skip' then 1 else 0 end) as skipped,
        sum(case when deliveries.first_outcome = 'error' then 1 else 0 end) as first_attempt_errors,
        sum(case when deliveries.was_retried then 1 else 0 end) as retried,
        sum(deliveries.revenue) as revenue,
        sum(deliveries.cost) as cost,
        avg(deliveries.latency_ms) as latency_ms_avg,
        percentile_cont(0.5) within group (order by deliveries.latency_ms) as latency_ms_p50,
        percentile_cont(0.95) within group (order by deliveries.latency_ms) as latency_ms_p95
    from deliveries
    inner join days
        on deliveries.delivery_date = days.delivery_date
    group by
        deliveries.delivery_date, deliveries.recipient_id, deliveries.step_id, deliveries.flow_id

),

final as (

    select
        delivery_date,
        recipient_id,
        recipient_name,
        recipient_kind,
        step_id,
        flow_id,
        flow_name,
        cast(attempted as bigint) as attempted,
        cast(succeeded as bigint) as succeeded,
        cast(failed as bigint) as failed,
        cast(errored as bigint) as errored,
        cast(skipped as bigint) as skipped,
        cast(first_attempt_errors as bigint) as first_attempt_errors,
        cast(retried as bigint) as retried,
        {{ safe_divide('succeeded', 'attempted') }} as success_rate,
        {{ safe_divide('failed', 'attempted') }} as failure_rate,
        {{ safe_divide('errored', 'attempted') }} as error_rate,
        {{ safe_divide('skipped', 'attempted') }} as skip_rate,
        cast(revenue as decimal(18, 4)) as revenue,
        cast(cost as decimal(18, 4)) as cost,
        cast(latency_ms_avg as double) as latency_ms_avg,
        cast(latency_ms_p50 as double) as latency_ms_p50,
        cast(latency_ms_p95 as double) as latency_ms_p95
    from daily

)

select * from final
