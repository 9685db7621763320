-- Daily acceptance by flow and source (day of submission, UTC).
with

leads as (

    select * from {{ ref('int_leads_outcomes_resolved') }}

),

daily as (

    select
        submitted_date,
        flow_id,
        flow_name,
        source_id,
        source_name,
        count(*) as leads,
        sum(case when lead_outcome = 'accepted' then 1 else 0 end) as accepted,
        sum(case when lead_outcome = 'rejected' then 1 else 0 end) as rejected,
        sum(case when lead_outcome = 'error' then 1 else 0 end) as errored,
        sum(purchase_price) as purchase_cost
    from leads
    group by submitted_date, flow_id, flow_name, source_id, source_name

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
