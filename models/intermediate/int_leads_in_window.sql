{{ config(materialized='table', tags=['partitioned']) }}
-- The leads touched by this run: fct_lead_events (re)wrote one of their events in this run (the
-- partition window, and late arrivals). Lead-level facts are rebuilt for exactly these leads,
-- from the full event history.
with

final as (

    select distinct lead_id
    from {{ ref('fct_lead_events') }}
    where built_at = {{ this_run_at() }}

)

select * from final
