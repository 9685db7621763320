{{ config(tags=['downstream']) }}
-- Returned leads by the day they were delivered, buyer, source and return reason (the buyer's
-- own words, e.g. "Wrong number"; a delivery returned twice counts once, with its first reason).
with

deliveries as (

    select * from {{ ref('fct_deliveries') }}
    where recipient_kind = 'delivery'
        and final_outcome = 'success'

),

feedback as (

    select * from {{ ref('fct_feedback') }}
    where feedback_type = 'return'

),

first_returns as (

    select
        delivery_id,
        min(feedback_at) as first_returned_at
    from feedback
    group by delivery_id

),

reasons as (

    select
        first_returns.delivery_id,
        min(feedback.feedback_reason) as return_reason
    from first_returns
    inner join feedback
        on first_returns.delivery_id = feedback.delivery_id
            and first_returns.first_returned_at = feedback.feedback_at
    group by first_returns.delivery_id

),

final as (

    select
        deliveries.delivery_date,
        deliveries.flow_id,
        {{ last_seen('deliveries.flow_name', 'deliveries.started_at') }} as flow_name,
        deliveries.recipient_id,
        {{ last_seen('deliveries.recipient_name', 'deliveries.started_at') }} as recipient_name,
        deliveries.source_id,
        {{ last_seen('deliveries.source_name', 'deliveries.started_at') }} as source_name,
        coalesce(reasons.return_reason, '(no reason)') as return_reason,
        cast(count(*) as bigint) as returned,
        cast(sum(deliveries.revenue) as decimal(18, 4)) as returned_revenue
    from deliveries
    inner join reasons
        on deliveries.delivery_id = reasons.delivery_id
    group by
        deliveries.delivery_date,
        deliveries.flow_id,
        deliveries.recipient_id,
        deliveries.source_id,
        coalesce(reasons.return_reason, '(no reason)')

)

select * from final
