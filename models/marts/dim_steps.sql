{{ config(materialized='table', tags=['downstream']) }}
-- One row per flow step (filter or recipient), with what it is as last seen and a human name:
-- the name given in the step_names seed, else the recipient's name (enhancement or buyer), else
-- for a filter "Filter: <the reason it stops leads with most often>", else "Filter <step id>".
-- Rebuilt whole each run (a scan of the step events), so a name given in the seed or a filter's
-- commonest reason applies to every step at once.
with

steps as (

    {{
        dimension_from_events(
            'step_id',
            ['flow_id', 'flow_name', 'event_type', 'recipient_kind', 'module_id', 'recipient_id',
             'recipient_name'],
            "event_type in ('filter', 'recipient')",
        ) | indent(4)
    }}

),

names as (

    {{ step_name_sources() | indent(4) }}

),

final as (

    select
        steps.step_id,
        steps.flow_id,
        steps.flow_name,
        steps.event_type,
        steps.recipient_kind,
        steps.module_id,
        steps.recipient_id,
        steps.recipient_name,
        steps.first_seen_at,
        steps.last_seen_at,
        steps.updated_at,
        {{ step_name(
            'names.configured_name', 'steps.recipient_name', 'names.stop_reason', 'steps.step_id'
        ) }} as step_name,
        {{ step_name_from('names.configured_name', 'steps.recipient_name', 'names.stop_reason') }}
            as step_name_from
    from steps
    left join names
        on steps.step_id = names.step_id

)

select * from final
