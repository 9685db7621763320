-- One row per recipient (buyer or enhancement service), with its kind and module.
with

events as (

    select * from {{ ref('fct_lead_events') }}

),

named as (

    select
        recipient_id,
        recipient_name,
        recipient_kind,
        module_id,
        row_number() over (partition by recipient_id order by started_at desc, event_id desc) as recency_rank
    from events
    where recipient_id is not null and event_type in ('recipient', 'retry')

),

seen as (

    select
        recipient_id,
        min(started_at) as first_seen_at,
        max(started_at) as last_seen_at,
        count(distinct step_id) as steps
    from events
    where recipient_id is not null and event_type in ('recipient', 'retry')
    group by recipient_id

),

final as (

    select
        named.recipient_id,
        named.recipient_name,
        named.recipient_kind,
        named.module_id,
        seen.first_seen_at,
        seen.last_seen_at,
        seen.steps
    from named
    inner join seen
        on named.recipient_id = seen.recipient_id
    where named.recency_rank = 1

)

select * from final
