-- One row per source, with its name as last seen.
with

events as (

    select * from {{ ref('fct_lead_events') }}

),

named as (

    select
        source_id,
        source_name,
        row_number() over (partition by source_id order by started_at desc, event_id desc) as recency_rank
    from events
    where source_id is not null

),

seen as (

    select
        source_id,
        min(started_at) as first_seen_at,
        max(started_at) as last_seen_at,
        count(distinct lead_id) as leads,
        count(distinct flow_id) as flows
    from events
    where source_id is not null
    group by source_id

),

final as (

    select
        named.source_id,
        named.source_name,
        seen.first_seen_at,
        seen.last_seen_at,
        seen.leads,
        seen.flows
    from named
    inner join seen
        on named.source_id = seen.source_id
    where named.recency_rank = 1

)

select * from final
