{#- The value of the row with the latest `order_by` in a group: the name "as last seen" of an
    entity grouped by its id, so a source, flow or recipient renamed within the period stays one
    row. max_by exists in DuckDB, Spark, Trino and Snowflake; other engines get a dispatch. -#}
{% macro last_seen(value, order_by) -%}
    {{ return(adapter.dispatch('last_seen')(value, order_by)) }}
{%- endmacro %}

{% macro default__last_seen(value, order_by) -%}
    max_by({{ value }}, {{ order_by }})
{%- endmacro %}

{% macro bigquery__last_seen(value, order_by) -%}
    array_agg({{ value }} order by {{ order_by }} desc limit 1)[offset(0)]
{%- endmacro %}
