{#- The enhancement outputs of one service (`trustedform`, `suppressionlist`) an incremental
    quality fact takes in this run: those of the partition window plus every event loaded since
    its last run (as fct_lead_events does), or all of them on a first run. -#}
{% macro enhancement_checks(service) -%}
    select * from {{ ref('stg_leadconduit__enhancement_outputs') }}
    where
        {#- pushed down to the scan of raw: the other service's payloads are not parsed #}
        payload_names_{{ service }}
        and service = '{{ service }}'
        {% if is_incremental() %}
            and (
                {{ in_window('check_date') }}
                or {{ newer_than_latest_in('ingested_at', this, 'ingested_at') }}
            )
        {% endif %}
{%- endmacro %}

{#- The columns an enhancement check fact starts with (its contract's order): the step event, its
    lead, step, flow and source, when it was checked, and the step's outcome and reason. Selected
    from enhancement_checks(). -#}
{% macro enhancement_check_columns() -%}
    event_id,
    lead_id,
    step_id,
    flow_id,
    flow_name,
    source_id,
    source_name,
    submitted_at,
    checked_at,
    check_date,
    outcome as step_outcome,
    reason as step_reason
{%- endmacro %}
