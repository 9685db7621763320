{{ config(unique_key='submitted_date', partition_by=day_partition('submitted_date')) }}
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
        {{ lead_outcome_counts('leads', errored=true) }}
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
