-- One row per flow, with its name as last seen.
with

events as (

    select * from {{ ref('fct_lead_events') }}

),

named as (

    select
        flow_id,
        flow_name,
        account_id,
        account_name,
        row_number() over (partition by flow_id order by started_at desc, event_id desc) as recency_rank
    from events
    where flow_id is not null

),

seen as (

    select
        flow_id,
        min(started_at) as first_seen_at,
        max(started_at) as last_seen_at,
        count(distinct lead_id) as leads,
        count(distinct source_id) as sources
    from events
    where flow_id is not null
    group by flow_id

),

final as (

    select
        named.flow_id,
        named.flow_name,
        named.account_id,
        named.account_name,
        seen.first_seen_at,
        seen.last_seen_at,
        seen.leads,
        seen.sources
    from named
    inner join seen
        on named.flow_id = seen.flow_id
    where named.recency_rank = 1

)

select * from final
