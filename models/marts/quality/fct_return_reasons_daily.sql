{{ config(tags=['downstream']) }}
-- Returned leads by the day they were delivered, buyer, source and return reason (the buyer's
-- own words, e.g. "Wrong number"; a delivery returned twice counts once, with its first reason).
with

returned as (

    select * from {{ ref('int_sold_deliveries') }}
    where first_returned_at is not null

),

final as (

    select
        delivery_date,
        {{ ids_and_names(['flow', 'recipient', 'source'], 'started_at') }},
        coalesce(first_return_reason, '(no reason)') as return_reason,
        count(*) as returned,
        cast(sum(revenue) as decimal(18, 4)) as returned_revenue
    from returned
    group by
        delivery_date,
        flow_id,
        recipient_id,
        source_id,
        coalesce(first_return_reason, '(no reason)')

)

select * from final
