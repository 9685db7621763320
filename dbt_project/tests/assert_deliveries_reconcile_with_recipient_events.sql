{{ config(meta={'dagster': {'ref': {'name': 'fct_deliveries'}}}) }}
-- Every lead x recipient step with a recipient event has exactly one row in fct_deliveries, and
-- the daily delivery aggregate counts each of them once.
with steps as (
    select count(*) as n
    from (
        select distinct lead_id, step_id
        from {{ ref('fct_lead_events') }}
        where event_type = 'recipient'
    ) as distinct_steps
),

deliveries as (
    select count(*) as n from {{ ref('fct_deliveries') }}
),

daily as (
    select sum(attempted) as n from {{ ref('fct_delivery_daily') }}
)

select steps.n as steps, deliveries.n as deliveries, daily.n as daily
from steps cross join deliveries cross join daily
where steps.n <> deliveries.n or deliveries.n <> daily.n
