{{ config(tags=['downstream']) }}
-- Returns by the day the lead was delivered, buyer and source: leads sold (deliveries the buyer
-- accepted), how many of them the buyer returned, and the revenue at stake. A return counts on
-- the delivery's day, not on the day it arrived (returns come days later), so a buyer's return
-- rate compares with the threshold in its contract (config/alerts.yaml, buyer_return_rate).
with

deliveries as (

    select * from {{ ref('fct_deliveries') }}
    where recipient_kind = 'delivery'
        and final_outcome = 'success'

),

feedback as (

    select * from {{ ref('fct_feedback') }}

),

returned as (

    select
        delivery_id,
        min(feedback_at) as first_returned_at
    from feedback
    where feedback_type = 'return'
    group by delivery_id

),

sold as (

    select
        deliveries.*,
        returned.delivery_id is not null as is_returned
    from deliveries
    left join returned
        on deliveries.delivery_id = returned.delivery_id

),

daily as (

    select
        delivery_date,
        flow_id,
        {{ last_seen('flow_name', 'started_at') }} as flow_name,
        recipient_id,
        {{ last_seen('recipient_name', 'started_at') }} as recipient_name,
        source_id,
        {{ last_seen('source_name', 'started_at') }} as source_name,
        count(*) as sold,
        count(*) filter (where is_returned) as returned,
        cast(sum(revenue) as decimal(18, 4)) as revenue,
        cast(sum(case when is_returned then revenue else 0 end) as decimal(18, 4))
            as returned_revenue
    from sold
    group by delivery_date, flow_id, recipient_id, source_id

),

final as (

    select
        *,
        {{ safe_divide('returned', 'sold') }} as return_rate
    from daily

)

select * from final
