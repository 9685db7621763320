{#- The start of this dbt invocation as a timestamp literal: fct_lead_events stamps the events
    it (re)writes with it, and the lead-level models pick the leads this run touched by it. -#}
{% macro this_run_at() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as timestamp)
{%- endmacro %}

{#- `column > (the largest <of_column> in <relation>)`, with that largest value fetched before the
    model runs and written in as a literal (`true` when the relation is empty). A literal filter is
    pushed down into the scan below it; a scalar subquery is joined only after every row above the
    scan has been computed (for fct_lead_events: the JSON of every raw event, not only the new). -#}
{% macro newer_than_latest_in(column, relation, of_column) -%}
    {%- if not execute -%}
        true
    {%- else -%}
        {%- set latest = run_query(
            "select cast(max(" ~ of_column ~ ") as " ~ dbt.type_string() ~ ") from " ~ relation
        ).columns[0].values()[0] -%}
        {%- if latest is none -%}
            true
        {%- else -%}
            {{ column }} > cast('{{ latest }}' as timestamp)
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
