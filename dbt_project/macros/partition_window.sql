{#- The partition window handed over by Dagster as vars (min_date, max_date; open-ended by
    default), widened by `lookback_days` for late events. Portable SQL (dbt cross-db macros). -#}

{% macro window_start(lookback=true) -%}
    {%- set days = var('lookback_days', 3) | int if lookback else 0 -%}
    {{ dbt.dateadd('day', -1 * days, "cast('" ~ var('min_date') ~ "' as date)") }}
{%- endmacro %}

{% macro window_end() -%}
    cast('{{ var("max_date") }}' as date)
{%- endmacro %}

{% macro in_window(column, lookback=true) -%}
    ({{ column }} >= {{ window_start(lookback) }} and {{ column }} <= {{ window_end() }})
{%- endmacro %}
