{{ config(tags=['partitioned']) }}
-- One row per lead (of this run) with a source event: what the source was told, the reason and
-- its category, and the step that rejected it. The source event is written last; if a lead has
-- more than one, the latest wins. A rejection is attributed to the filter that stopped the lead
-- (its `stop` event); a source failure with step_count = 0 to acceptance criteria or a cap; any
-- other failure to the recipients (no buyer took the lead: no bid, every delivery failed).
with

lead_events as (

    select * from {{ ref('int_lead_events_in_window') }}

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
        reason_category,
        step_count,
        purchase_price,
        row_number() over (
            partition by lead_id order by ended_at desc, event_id desc
        ) as recency_rank
    from lead_events
    where event_type = 'source'

),

stops as (

    select
        lead_id,
        step_id,
        reason,
        row_number() over (partition by lead_id order by started_at, event_id) as stop_rank
    from lead_events
    where event_type = 'filter' and outcome = 'stop'

),

final as (

    select
        source_events.lead_id,
        source_events.source_event_id,
        source_events.account_id,
        source_events.flow_id,
        source_events.flow_name,
        source_events.source_id,
        source_events.source_name,
        source_events.submitted_at,
        source_events.completed_at,
        source_events.outcome as source_outcome,
        case source_events.outcome
            when 'success' then 'accepted'
            when 'failure' then 'rejected'
            else 'error'
        end as lead_outcome,
        source_events.reason,
        source_events.reason_category,
        case
            when source_events.outcome <> 'failure' then null
            when stops.step_id is not null then stops.step_id
            when source_events.step_count = 0 then 'acceptance_criteria'
            else 'recipients'
        end as rejecting_step_id,
        case
            when source_events.outcome <> 'failure' then null
            when stops.step_id is not null then 'filter'
            when source_events.step_count = 0 then 'acceptance_criteria'
            else 'recipients'
        end as rejected_by,
        source_events.step_count,
        source_events.purchase_price
    from source_events
    left join stops
        on source_events.lead_id = stops.lead_id
            and stops.stop_rank = 1
    where source_events.recency_rank = 1

)

select * from final
