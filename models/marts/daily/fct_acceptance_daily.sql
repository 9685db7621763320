{{ config(unique_key='submitted_date') }}
-- Daily acceptance by flow and source (day of submission, UTC); names as last seen that day.
with

leads as (

    select * from {{ ref('int_leads_of_days_affected') }}

),

daily as (

    select
        leads.submitted_date,
        {{ flow_and_source('leads', 'submitted_at') }},
        count(*) as leads,
        sum(case when leads.lead_outcome = 'accepted' then 1 else 0 end) as accepted,
        sum(case when leads.lead_outcome = 'rejected' then 1 else 0 end) as rejected,
        sum(case when leads.lead_outcome = 'error' then 1 else 0 end) as errored,
        sum(leads.purchase_cost) as purchase_cost
    from leads
    group by leads.submitted_date, leads.flow_id, leads.source_id

),

final as (

    select
        submitted_date,
        flow_id,
        flow_name,
        source_id,
        source_name,
        cast(leads as bigint) as leads,
        cast(accepted as bigint) as accepted,
        cast(rejected as bigint) as rejected,
        cast(errored as bigint) as errored,
        {{ safe_divide('accepted', 'leads') }} as acceptance_rate,
        cast(purchase_cost as decimal(18, 4)) as purchase_cost
    from daily

)

select * from final
