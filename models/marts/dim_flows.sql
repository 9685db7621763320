{{ config(materialized='incremental', unique_key='flow_id', tags=['downstream']) }}
-- One row per flow, with its name and account as last seen.
{{ dimension_from_events('flow_id', ['flow_name', 'account_id', 'account_name'], 'true') }}
