{#- The flow and source columns of an aggregate grouped by flow_id and source_id: the ids, and
    the names as last seen in the group (a renamed flow or source stays one row). Pass the
    relation when the select joins several (the columns are then qualified), none when it reads
    one. -#}
{% macro flow_and_source(relation, order_by) -%}
    {%- set p = relation ~ '.' if relation else '' -%}
    {{ p }}flow_id,
    {{ last_seen(p ~ 'flow_name', p ~ order_by) }} as flow_name,
    {{ p }}source_id,
    {{ last_seen(p ~ 'source_name', p ~ order_by) }} as source_name
{%- endmacro %}

{#- The flow and source of a raw event, from its payload parsed as `payload` (staging): a missing
    or empty id becomes '(missing)', so the lead still counts, under a flow or source a dashboard
    shows. One rule for the events and the enhancement outputs. -#}
{% macro flow_and_source_of_payload(payload) -%}
    coalesce(nullif({{ payload }}.vars.flow.id, ''), '(missing)') as flow_id,
    {{ payload }}.vars.flow.name as flow_name,
    coalesce(nullif({{ payload }}.vars.source.id, ''), '(missing)') as source_id,
    {{ payload }}.vars.source.name as source_name
{%- endmacro %}
