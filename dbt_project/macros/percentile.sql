{#- The continuous percentile (0..1) of a numeric expression within a group, as an aggregate:
    `{{ percentile('latency_ms', 0.99) }}`. DuckDB has quantile_cont; Spark has percentile
    (exact; percentile_approx is the approximate one for very large groups); other engines get
    the SQL standard's ordered-set aggregate. -#}
{% macro percentile(expression, fraction) -%}
    {{ return(adapter.dispatch('percentile')(expression, fraction)) }}
{%- endmacro %}

{% macro default__percentile(expression, fraction) -%}
    percentile_cont({{ fraction }}) within group (order by {{ expression }})
{%- endmacro %}

{% macro duckdb__percentile(expression, fraction) -%}
    quantile_cont({{ expression }}, {{ fraction }})
{%- endmacro %}

{% macro spark__percentile(expression, fraction) -%}
    percentile({{ expression }}, {{ fraction }})
{%- endmacro %}
