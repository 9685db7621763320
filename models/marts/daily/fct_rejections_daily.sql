{{ config(unique_key='submitted_date', partition_by=day_partition('submitted_date')) }}
-- Rejected leads by day, flow, source, rejecting step, reason category and reason.
with

final as (

    select
        leads.submitted_date,
        {{ flow_and_source('leads', 'submitted_at') }},
        leads.rejected_by,
        coalesce(leads.rejecting_step_id, 'unknown') as rejecting_step_id,
        coalesce(leads.reason_category, 'other') as reason_category,
        coalesce(leads.reason, '(no reason given)') as reason,
        cast(count(*) as bigint) as rejected
    from {{ ref('int_leads_of_days_affected') }} as leads
    where leads.lead_outcome = 'rejected'
    group by
        leads.submitted_date,
        leads.flow_id,
        leads.source_id,
        leads.rejected_by,
        coalesce(leads.rejecting_step_id, 'unknown'),
        coalesce(leads.reason_category, 'other'),
        coalesce(leads.reason, '(no reason given)')

)

select * from final
