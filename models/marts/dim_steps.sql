-- One row per step (filter or recipient) of a flow, with what it is and how often it ran.
with

events as (

    select * from {{ ref('fct_lead_events') }}

),

named as (

    select
        step_id,
        flow_id,
        flow_name,
        case when event_type = 'filter' then 'filter' else 'recipient' end as step_type,
        coalesce(recipient_kind, 'filter') as step_kind,
        module_id,
        recipient_id,
        coalesce(recipient_name, 'filter') as step_name,
        row_number() over (partition by step_id order by started_at desc, event_id desc) as recency_rank
    from events
    where step_id is not null and event_type in ('filter', 'recipient')

),

seen as (

    select
        step_id,
        count(*) as runs,
        min(started_at) as first_seen_at,
        max(started_at) as last_seen_at
    from events
    where step_id is not null and event_type in ('filter', 'recipient')
    group by step_id

),

final as (

    select
        named.step_id,
        named.flow_id,
        named.flow_name,
        named.step_type,
        named.step_kind,
        named.module_id,
        named.recipient_id,
        named.step_name,
        seen.runs,
        seen.first_seen_at,
        seen.last_seen_at
    from named
    inner join seen
        on named.step_id = seen.step_id
    where named.recency_rank = 1

)

select * from final
