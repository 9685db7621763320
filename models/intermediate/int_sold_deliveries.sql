{{ config(tags=['downstream']) }}
-- Every lead sold (a delivery the buyer accepted) and its first return, if the buyer returned it:
-- when, and the buyer's reason then (a delivery returned twice counts once, with its first
-- reason). What the returns marts and the supplier P&L count returns from.
with

deliveries as (

    select * from {{ ref('fct_deliveries') }}
    where recipient_kind = 'delivery'
        and final_outcome = 'success'

),

returns as (

    select * from {{ ref('fct_feedback') }}
    where feedback_type = 'return'

),

first_returns as (

    select
        delivery_id,
        min(feedback_at) as first_returned_at
    from returns
    group by delivery_id

),

first_reasons as (

    select
        first_returns.delivery_id,
        min(returns.feedback_reason) as first_return_reason
    from first_returns
    inner join returns
        on first_returns.delivery_id = returns.delivery_id
            and first_returns.first_returned_at = returns.feedback_at
    group by first_returns.delivery_id

),

final as (

    select
        deliveries.*,
        first_returns.delivery_id is not null as is_returned,
        first_returns.first_returned_at,
        first_reasons.first_return_reason
    from deliveries
    left join first_returns
        on deliveries.delivery_id = first_returns.delivery_id
    left join first_reasons
        on deliveries.delivery_id = first_reasons.delivery_id

)

select * from final
