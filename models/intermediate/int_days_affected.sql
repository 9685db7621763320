{{ config(materialized='table', tags=['partitioned']) }}
-- The submission days and delivery days whose aggregates this run must rebuild: every day that
-- holds a lead (or a delivery) touched by this run. Aggregates are rebuilt whole-day, from the
-- lead-level facts, so they stay exact when late events arrive and after raw data is purged.
with

leads as (

    select * from {{ ref('fct_leads') }}

),

deliveries as (

    select * from {{ ref('fct_deliveries') }}

),

events as (

    select * from {{ ref('fct_lead_events') }}

),

leads_in_window as (

    select * from {{ ref('int_leads_in_window') }}

),

submission_days as (

    select distinct
        'submission' as day_kind,
        leads.submitted_date as day
    from leads
    inner join leads_in_window
        on leads.lead_id = leads_in_window.lead_id

),

delivery_days as (

    select distinct
        'delivery' as day_kind,
        deliveries.delivery_date as day
    from deliveries
    inner join leads_in_window
        on deliveries.lead_id = leads_in_window.lead_id

),

event_days as (

    select distinct
        'event' as day_kind,
        event_date as day
    from events
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
