{{ config(unique_key='submitted_date') }}
-- Acceptance by hour: UTC day and hour, and the lead's local weekday and hour (for the
-- hour-of-day x weekday heatmap), by flow and source.
with

leads as (

    select * from {{ ref('int_leads_of_days_affected') }}

),

hourly as (

    select
        leads.submitted_date,
        leads.submitted_hour_utc,
        leads.local_weekday,
        leads.local_hour,
        {{ flow_and_source('leads', 'submitted_at') }},
        count(*) as leads,
        sum(case when leads.lead_outcome = 'accepted' then 1 else 0 end) as accepted,
        sum(case when leads.lead_outcome = 'rejected' then 1 else 0 end) as rejected,
        sum(case when leads.lead_outcome = 'error' then 1 else 0 end) as errored
    from leads
    group by
        leads.submitted_date, leads.submitted_hour_utc, leads.local_weekday, leads.local_hour,
        leads.flow_id, leads.source_id

),

final as (

    select
        submitted_date,
        submitted_hour_utc,
        local_weekday,
        local_hour,
        flow_id,
        flow_name,
        source_id,
        source_name,
        cast(leads as bigint) as leads,
        cast(accepted as bigint) as accepted,
        cast(rejected as bigint) as rejected,
        cast(errored as bigint) as errored,
        {{ safe_divide('accepted', 'leads') }} as acceptance_rate
    from hourly

)

select * from final
