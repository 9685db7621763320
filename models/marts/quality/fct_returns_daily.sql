{{ config(tags=['downstream']) }}
-- Returns by the day the lead was delivered, buyer and source: leads sold (deliveries the buyer
-- accepted), how many of them the buyer returned, and the revenue at stake. A return counts on
-- the delivery's day, not on the day it arrived (returns come days later), so a buyer's return
-- rate compares with the threshold in its contract (config/alerts.yaml, buyer_return_rate).
with

daily as (

    select
        delivery_date,
        {{ ids_and_names(['flow', 'recipient', 'source'], 'started_at') }},
        count(*) as sold,
        count(*) filter (where is_returned) as returned,
        cast(sum(revenue) as decimal(18, 4)) as revenue,
        cast(sum(case when is_returned then revenue else 0 end) as decimal(18, 4))
            as returned_revenue
    from {{ ref('int_sold_deliveries') }}
    group by delivery_date, flow_id, recipient_id, source_id

),

final as (

    select
        *,
        {{ safe_divide('returned', 'sold') }} as return_rate
    from daily

)

select * from final
