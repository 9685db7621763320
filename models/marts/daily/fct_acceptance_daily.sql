{{ config(unique_key='submitted_date', partition_by=day_partition('submitted_date')) }}
-- Daily acceptance by flow and source (day of submission, UTC); names as last seen that day.
with

daily as (

    select
        leads.submitted_date,
        {{ flow_and_source('leads', 'submitted_at') }},
        {{ lead_outcome_counts('leads', errored=true) }},
        cast(sum(leads.purchase_cost) as decimal(18, 4)) as purchase_cost
    from {{ ref('int_leads_of_days_affected') }} as leads
    group by leads.submitted_date, leads.flow_id, leads.source_id

),

final as (

    select
        *,
        {{ safe_divide('accepted', 'leads') }} as acceptance_rate
    from daily

)

select * from final
