{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='step_id',
        tags=['downstream'],
    )
}}
-- One row per flow step (filter or recipient), with what it is as last seen.
{{
    dimension_from_events(
        'step_id',
        ['flow_id', 'flow_name', 'event_type', 'recipient_kind', 'module_id', 'recipient_id', 'recipient_name'],
        "event_type in ('filter', 'recipient')",
    )
}}
