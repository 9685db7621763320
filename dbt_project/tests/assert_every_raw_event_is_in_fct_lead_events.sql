{{ config(meta={'dagster': {'ref': {'name': 'fct_lead_events'}}}) }}
-- Every distinct raw event appears in fct_lead_events (exactly once: fct_lead_events.event_id is
-- unique, tested in the marts YAML). Raw events purged by retention are no longer checked.
select raw_events.event_id
from (select distinct event_id from {{ source('raw', 'lead_events') }}) as raw_events
left join {{ ref('fct_lead_events') }} as facts
    on raw_events.event_id = facts.event_id
where facts.event_id is null
