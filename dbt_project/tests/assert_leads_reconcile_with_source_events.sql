{{ config(meta={'dagster': {'ref': {'name': 'fct_leads'}}}) }}
-- Leads with a source event = accepted + rejected + errored leads, in fct_leads and in the
-- daily acceptance aggregate alike.
with source_leads as (
    select count(distinct lead_id) as n from {{ ref('fct_lead_events') }} where event_type = 'source'
),

leads as (
    select
        count(*) as n,
        sum(case when lead_outcome in ('accepted', 'rejected', 'error') then 1 else 0 end) as by_outcome
    from {{ ref('fct_leads') }}
),

daily as (
    select sum(accepted) + sum(rejected) + sum(errored) as n from {{ ref('fct_acceptance_daily') }}
)

select source_leads.n as source_leads, leads.n as leads, leads.by_outcome, daily.n as daily
from source_leads cross join leads cross join daily
where source_leads.n <> leads.n or leads.n <> leads.by_outcome or leads.n <> daily.n
