{{ config(materialized='table', tags=['partitioned']) }}
-- The leads touched by this run: any of their events falls in the partition window (plus
-- lookback). Lead-level facts are rebuilt for exactly these leads, from the full event history.
with

events as (

    select * from {{ ref('fct_lead_events') }}

),

final as (

    select distinct lead_id
    from events
    where {{ in_window('event_date') }}

)

select * from final
