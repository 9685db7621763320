{#- The start of this dbt invocation as a timestamp literal: fct_lead_events stamps the events
    it (re)writes with it, and the lead-level models pick the leads this run touched by it. -#}
{% macro this_run_at() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as timestamp)
{%- endmacro %}
