{{ config(materialized='incremental', unique_key='feedback_event_id', tags=['partitioned'],
    partition_by=day_partition('feedback_date')) }}
-- Returns and conversions (feedback-received events), linked to the delivery they answer.
with

lead_events as (

    select * from {{ ref('int_lead_events_in_window') }}

),

feedback as (

    select * from lead_events
    where event_type = 'feedback-received'

),

answered as (

    select
        event_id,
        lead_id,
        step_id,
        started_at
    from lead_events
    where event_type in ('recipient', 'retry')

),

forwarded as (

    select
        lead_id,
        step_id,
        max(case when outcome = 'success' then 1 else 0 end) as forwarded_to_source
    from lead_events
    where event_type = 'feedback-sent'
    group by lead_id, step_id

),

final as (

    select
        feedback.event_id as feedback_event_id,
        feedback.lead_id,
        {{ dbt.concat([
            'feedback.lead_id', "'-'", 'coalesce(answered.step_id, feedback.step_id)'
        ]) }} as delivery_id,
        feedback.recipient_event_id,
        coalesce(answered.step_id, feedback.step_id) as step_id,
        feedback.flow_id,
        feedback.flow_name,
        feedback.source_id,
        feedback.source_name,
        feedback.recipient_id,
        feedback.recipient_name,
        coalesce(feedback.feedback_type, 'unknown') as feedback_type,
        coalesce(feedback.feedback_reason, feedback.reason) as feedback_reason,
        feedback.reason_category,
        feedback.outcome,
        coalesce(feedback.feedback_at, feedback.started_at) as feedback_at,
        cast(coalesce(feedback.feedback_at, feedback.started_at) as date) as feedback_date,
        answered.started_at as delivered_at,
        {{ elapsed_seconds(
            'answered.started_at', 'coalesce(feedback.feedback_at, feedback.started_at)'
        ) }} / 86400 as days_after_delivery,
        coalesce(forwarded.forwarded_to_source, 0) = 1 as forwarded_to_source,
        {{ this_run_at() }} as built_at
    from feedback
    left join answered
        on feedback.recipient_event_id = answered.event_id
    left join forwarded
        on feedback.lead_id = forwarded.lead_id
            and coalesce(answered.step_id, feedback.step_id) = forwarded.step_id

)

select * from final
