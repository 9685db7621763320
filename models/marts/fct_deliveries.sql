{{ config(materialized='incremental', unique_key='delivery_id', tags=['partitioned'],
    partition_by=day_partition('delivery_date')) }}
-- One row per lead x recipient step: deliveries to buyers and enhancements alike, with the
-- final outcome after retries.
with

final as (

    select
        delivery_id,
        lead_id,
        step_id,
        first_event_id,
        final_retry_event_id,
        flow_id,
        flow_name,
        source_id,
        source_name,
        recipient_id,
        recipient_name,
        recipient_kind,
        module_id,
        started_at,
        resolved_at,
        delivery_date,
        first_outcome,
        first_reason,
        final_outcome,
        final_reason,
        final_reason_category,
        attempts,
        attempts > 1 as was_retried,
        first_attempt_ms as latency_ms,
        first_attempt_wait_ms as wait_ms,
        http_status,
        sale_price,
        revenue,
        cast(cost as decimal(18, 4)) as cost,
        {{ this_run_at() }} as built_at
    from {{ ref('int_deliveries_retries_resolved') }}

)

select * from final
