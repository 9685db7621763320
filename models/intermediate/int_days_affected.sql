{{ config(materialized='table', tags=['partitioned']) }}
-- The submission days and delivery days whose aggregates this run must rebuild: every day that
-- holds a lead (or a delivery) touched by this run. Aggregates are rebuilt whole-day, from the
-- lead-level facts, so they stay exact when late events arrive and after raw data is purged.
with

submission_days as (

    select distinct
        'submission' as day_kind,
        leads.submitted_date as day
    from {{ ref('fct_leads') }} as leads
    inner join {{ ref('int_leads_in_window') }} as leads_in_window
        on leads.lead_id = leads_in_window.lead_id

),

delivery_days as (

    select distinct
        'delivery' as day_kind,
        deliveries.delivery_date as day
    from {{ ref('fct_deliveries') }} as deliveries
    inner join {{ ref('int_leads_in_window') }} as leads_in_window
        on deliveries.lead_id = leads_in_window.lead_id

),

event_days as (

    select distinct
        'event' as day_kind,
        event_date as day
    from {{ ref('fct_lead_events') }}
    where built_at = {{ this_run_at() }}

),

final as (

    select * from submission_days
    union all
    select * from delivery_days
    union all
    select * from event_days

)

select * from final
