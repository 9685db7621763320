{{ config(unique_key='submitted_date') }}
-- Rejected leads by day, flow, source, rejecting step, reason category and reason.
with

leads as (

    select * from {{ ref('fct_leads') }}

),

days as (

    select day as submitted_date from {{ ref('int_days_affected') }}
    where day_kind = 'submission'

),

final as (

    select
        leads.submitted_date,
        leads.flow_id,
        {{ last_seen('leads.flow_name', 'leads.submitted_at') }} as flow_name,
        leads.source_id,
        {{ last_seen('leads.source_name', 'leads.submitted_at') }} as source_name,
        leads.rejected_by,
        coalesce(leads.rejecting_step_id, 'unknown') as rejecting_step_id,
        coalesce(leads.reason_category, 'other') as reason_category,
        coalesce(leads.reason, '(no reason given)') as reason,
        cast(count(*) as bigint) as rejected
    from leads
    inner join days
        on leads.submitted_date = days.submitted_date
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
