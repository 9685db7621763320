{{ config(unique_key='submitted_date') }}
-- Acceptance by hour: UTC day and hour, and the lead's local weekday and hour (for the
-- hour-of-day x weekday heatmap), by flow and source.
with

hourly as (

    select
        leads.submitted_date,
        leads.submitted_hour_utc,
        leads.local_weekday,
        leads.local_hour,
        {{ flow_and_source('leads', 'submitted_at') }},
        count(*) as leads,
        count(*) filter (where leads.lead_outcome = 'accepted') as accepted,
        count(*) filter (where leads.lead_outcome = 'rejected') as rejected,
        count(*) filter (where leads.lead_outcome = 'error') as errored
    from {{ ref('int_leads_of_days_affected') }} as leads
    group by
        leads.submitted_date, leads.submitted_hour_utc, leads.local_weekday, leads.local_hour,
        leads.flow_id, leads.source_id

),

final as (

    select
        *,
        {{ safe_divide('accepted', 'leads') }} as acceptance_rate
    from hourly

)

select * from final
