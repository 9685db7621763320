{#- Human names of flow steps (dim_steps, fct_step_latency_daily). LeadConduit's events name a
    recipient step (its recipient) but not a filter. `step_name_sources()` selects, per step id,
    the name given in the step_names seed and the reason the step stops leads with most often
    (filters); `step_name(...)` picks: the seed's name, else the recipient's, else
    "Filter: <that reason>", else "Filter <step id>"; `step_name_from(...)` says which. -#}
{% macro step_name_sources() -%}
    select
        coalesce(named.step_id, stops.step_id) as step_id,
        named.step_name as configured_name,
        stops.reason as stop_reason
    from {{ ref('step_names') }} as named
    full outer join (
        select
            step_id,
            reason,
            row_number() over (partition by step_id order by count(*) desc, reason) as rank_
        from {{ ref('fct_lead_events') }}
        where event_type = 'filter' and outcome = 'stop' and reason is not null
        group by step_id, reason
    ) as stops
        on named.step_id = stops.step_id
    where stops.rank_ = 1 or stops.step_id is null
{%- endmacro %}

{% macro step_name(configured_name, recipient_name, stop_reason, step_id) -%}
    case
        when {{ configured_name }} is not null then {{ configured_name }}
        when {{ recipient_name }} is not null then {{ recipient_name }}
        when {{ stop_reason }} is not null then {{ dbt.concat(["'Filter: '", stop_reason]) }}
        else {{ dbt.concat(["'Filter '", step_id]) }}
    end
{%- endmacro %}

{% macro step_name_from(configured_name, recipient_name, stop_reason) -%}
    case
        when {{ configured_name }} is not null then 'step_names'
        when {{ recipient_name }} is not null then 'recipient'
        when {{ stop_reason }} is not null then 'stop_reason'
        else 'step_id'
    end
{%- endmacro %}
