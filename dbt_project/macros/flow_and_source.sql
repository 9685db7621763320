{#- The id and name columns of an aggregate grouped by the ids of `entities` (any of 'flow',
    'recipient', 'source', in the order given): each id, and the name as last seen in the group
    (a renamed flow, buyer or source stays one row). Pass the relation when the select joins
    several (the columns are then qualified), none when it reads one. -#}
{% macro ids_and_names(entities, order_by, relation=none) -%}
    {%- set p = relation ~ '.' if relation else '' -%}
    {%- for entity in entities %}
    {{ p }}{{ entity }}_id,
    {{ last_seen(p ~ entity ~ '_name', p ~ order_by) }} as {{ entity }}_name
    {{- ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- The flow and source columns of an aggregate grouped by flow_id and source_id. -#}
{% macro flow_and_source(relation, order_by) -%}
    {{ ids_and_names(['flow', 'source'], order_by, relation) }}
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
