{{ config(materialized='incremental', unique_key='recipient_id', tags=['downstream']) }}
-- One row per recipient (buyer or enhancement service), with its kind and module as last seen.
{{
    dimension_from_events(
        'recipient_id',
        ['recipient_name', 'recipient_kind', 'module_id'],
        "event_type in ('recipient', 'retry')",
    )
}}
