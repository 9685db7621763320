{#- The flow and source columns of an aggregate grouped by flow_id and source_id: the ids, and
    the names as last seen in the group (a renamed flow or source stays one row). -#}
{% macro flow_and_source(relation, order_by) -%}
    {{ relation }}.flow_id,
    {{ last_seen(relation ~ '.flow_name', relation ~ '.' ~ order_by) }} as flow_name,
    {{ relation }}.source_id,
    {{ last_seen(relation ~ '.source_name', relation ~ '.' ~ order_by) }} as source_name
{%- endmacro %}
