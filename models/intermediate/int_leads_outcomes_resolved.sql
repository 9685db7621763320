-- One row per lead that has a source event: what the source was told (accepted, rejected,
-- error), the reason and its category. The source event is written last; if a lead has more
-- than one, the latest wins.
with

events as (

    select * from {{ ref('stg_leadconduit__events') }}

),

reason_categories as (

    select * from {{ ref('reason_categories') }}

),

source_events as (

    select
        lead_id,
        event_id as source_event_id,
        account_id,
        flow_id,
        flow_name,
        source_id,
        source_name,
        coalesce(submitted_at, started_at) as submitted_at,
        ended_at as completed_at,
        outcome,
        reason,
        step_count,
        purchase_price,
        row_number() over (
            partition by lead_id order by ended_at desc, event_id desc
        ) as recency_rank
    from events
    where event_type = 'source'

),

latest as (

    select * from source_events where recency_rank = 1

),

categorised as (

    select
        latest.lead_id,
        min(reason_categories.priority) as category_priority
    from latest
    inner join reason_categories
        on lower(latest.reason) like reason_categories.pattern
    group by latest.lead_id

),

final as (

    select
        latest.lead_id,
        latest.source_event_id,
        latest.account_id,
        latest.flow_id,
        latest.flow_name,
        latest.source_id,
        latest.source_name,
        latest.submitted_at,
        cast(latest.submitted_at as date) as submitted_date,
        latest.completed_at,
        latest.outcome as source_outcome,
        case latest.outcome
            when 'success' then 'accepted'
            when 'failure' then 'rejected'
            else 'error'
        end as lead_outcome,
        latest.reason,
        case
            when latest.reason is null then null
            else coalesce(reason_categories.category, 'other')
        end as reason_category,
        latest.step_count,
        latest.purchase_price
    from latest
    left join categorised
        on latest.lead_id = categorised.lead_id
    left join reason_categories
        on categorised.category_priority = reason_categories.priority

)

select * from final
