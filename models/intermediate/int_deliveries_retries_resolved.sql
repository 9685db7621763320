{{ config(tags=['partitioned']) }}
-- One row per lead x recipient step (of this run): the first attempt, and the final outcome
-- after retries (the latest `retry` event with retry_status = completed).
with

lead_events as (

    select * from {{ ref('int_lead_events_in_window') }}
    where event_type in ('recipient', 'retry')

),

first_attempts as (

    select
        *,
        row_number() over (
            partition by lead_id, step_id order by started_at, event_id
        ) as attempt_rank
    from lead_events
    where event_type = 'recipient'

),

completed_retries as (

    select
        *,
        row_number() over (
            partition by lead_id, step_id order by ended_at desc, event_id desc
        ) as recency_rank
    from lead_events
    where event_type = 'retry' and retry_status = 'completed'

),

retry_counts as (

    select
        lead_id,
        step_id,
        count(*) as retries
    from lead_events
    where event_type = 'retry' and retry_status = 'completed'
    group by lead_id, step_id

),

final as (

    select
        {{ dbt.concat(['first_attempts.lead_id', "'-'", 'first_attempts.step_id']) }}
            as delivery_id,
        first_attempts.lead_id,
        first_attempts.step_id,
        first_attempts.event_id as first_event_id,
        final_retry.event_id as final_retry_event_id,
        first_attempts.flow_id,
        first_attempts.flow_name,
        first_attempts.source_id,
        first_attempts.source_name,
        first_attempts.recipient_id,
        first_attempts.recipient_name,
        first_attempts.recipient_kind,
        first_attempts.module_id,
        first_attempts.started_at,
        coalesce(final_retry.ended_at, first_attempts.ended_at) as resolved_at,
        first_attempts.event_date as delivery_date,
        first_attempts.outcome as first_outcome,
        first_attempts.reason as first_reason,
        coalesce(final_retry.outcome, first_attempts.outcome) as final_outcome,
        case
            when final_retry.event_id is not null then final_retry.reason
            else first_attempts.reason
        end as final_reason,
        case
            when final_retry.event_id is not null then final_retry.reason_category
            else first_attempts.reason_category
        end as final_reason_category,
        1 + coalesce(retry_counts.retries, 0) as attempts,
        first_attempts.ms as first_attempt_ms,
        first_attempts.wait_ms as first_attempt_wait_ms,
        coalesce(final_retry.ms, first_attempts.ms) as final_attempt_ms,
        coalesce(final_retry.http_status, first_attempts.http_status) as http_status,
        coalesce(final_retry.sale_price, first_attempts.sale_price) as sale_price,
        case
            when coalesce(final_retry.outcome, first_attempts.outcome) = 'success'
                then coalesce(final_retry.revenue, first_attempts.revenue)
            else 0
        end as revenue,
        first_attempts.cost + coalesce(final_retry.cost, 0) as cost
    from first_attempts
    left join completed_retries as final_retry
        on first_attempts.lead_id = final_retry.lead_id
            and first_attempts.step_id = final_retry.step_id
            and final_retry.recency_rank = 1
    left join retry_counts
        on first_attempts.lead_id = retry_counts.lead_id
            and first_attempts.step_id = retry_counts.step_id
    where first_attempts.attempt_rank = 1

)

select * from final
