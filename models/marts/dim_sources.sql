{{ config(materialized='incremental', unique_key='source_id', tags=['downstream']) }}
-- One row per source, with its name and flow as last seen.
{{ dimension_from_events('source_id', ['source_name', 'flow_id'], 'true') }}
