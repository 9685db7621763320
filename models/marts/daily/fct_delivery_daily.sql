{{ config(unique_key='delivery_date', partition_by=day_partition('delivery_date')) }}
-- Delivery and enhancement results by day and recipient step: success, failure, error and skip
-- counts and rates (final outcome after retries), revenue and latency percentiles.
with

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
        count(*) filter (where deliveries.final_outcome = 'success') as succeeded,
        count(*) filter (where deliveries.final_outcome = 'failure') as failed,
        count(*) filter (where deliveries.final_outcome = 'error') as errored,
        count(*) filter (where deliveries.final_outcome = 'skip') as skipped,
        count(*) filter (where deliveries.first_outcome = 'error') as first_attempt_errors,
        count(*) filter (where deliveries.was_retried) as retried,
        cast(sum(deliveries.revenue) as decimal(18, 4)) as revenue,
        cast(sum(deliveries.cost) as decimal(18, 4)) as cost,
        avg(deliveries.latency_ms) as latency_ms_avg,
        percentile_cont(0.5) within group (order by deliveries.latency_ms) as latency_ms_p50,
        percentile_cont(0.95) within group (order by deliveries.latency_ms) as latency_ms_p95
    from {{ ref('fct_deliveries') }} as deliveries
    inner join days
        on deliveries.delivery_date = days.delivery_date
    group by
        deliveries.delivery_date, deliveries.recipient_id, deliveries.step_id, deliveries.flow_id

),

final as (

    select
        *,
        {{ safe_divide('succeeded', 'attempted') }} as success_rate,
        {{ safe_divide('failed', 'attempted') }} as failure_rate,
        {{ safe_divide('errored', 'attempted') }} as error_rate,
        {{ safe_divide('skipped', 'attempted') }} as skip_rate
    from daily

)

select * from final
