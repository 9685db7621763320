{{ config(materialized='view', tags=['partitioned']) }}
-- Every event, from the whole history, of the leads this run touched (int_leads_in_window): what
-- the lead-level models rebuild those leads from.
with

final as (

    select events.*
    from {{ ref('fct_lead_events') }} as events
    inner join {{ ref('int_leads_in_window') }} as leads_in_window
        on events.lead_id = leads_in_window.lead_id

)

select * from final
