{#- The partition window handed over by Dagster (min_date, max_date; open-ended by default),
    widened by `lookback_days` for late events. Portable SQL (dbt cross-db macros). -#}

{#- A bound of the window: $LEADWH_WINDOW_MIN_DATE / $LEADWH_WINDOW_MAX_DATE when set (how Dagster
    hands it over, orchestration/partitions.py), else the var (`--vars` on the command line).
    The environment is read only when executing: dbt keeps its partial parse when a run's window
    differs from the last one's, where a changed --vars makes it parse the whole project. -#}
{% macro window_bound(name) -%}
    {%- if execute -%}
        {%- do return(env_var('LEADWH_WINDOW_' ~ name | upper, var(name))) -%}
    {%- endif -%}
    {%- do return(var(name)) -%}
{%- endmacro %}

{% macro window_start(lookback=true) -%}
    {%- set days = var('lookback_days', 3) | int if lookback else 0 -%}
    {{ dbt.dateadd('day', -1 * days, "cast('" ~ window_bound('min_date') ~ "' as date)") }}
{%- endmacro %}

{% macro window_end() -%}
    cast('{{ window_bound("max_date") }}' as date)
{%- endmacro %}

{% macro in_window(column, lookback=true) -%}
    ({{ column }} >= {{ window_start(lookback) }} and {{ column }} <= {{ window_end() }})
{%- endmacro %}
