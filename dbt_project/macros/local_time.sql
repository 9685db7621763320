{#- A UTC timestamp as wall-clock time in an IANA time zone; adapters differ, so dispatch. -#}
{% macro to_local_time(utc_timestamp, time_zone) -%}
    {{ return(adapter.dispatch('to_local_time', 'leadwarehouse')(utc_timestamp, time_zone)) }}
{%- endmacro %}

{% macro default__to_local_time(utc_timestamp, time_zone) -%}
    ({{ utc_timestamp }} at time zone 'UTC' at time zone {{ time_zone }})
{%- endmacro %}

{% macro duckdb__to_local_time(utc_timestamp, time_zone) -%}
    cast(timezone({{ time_zone }}, timezone('UTC', {{ utc_timestamp }})) as timestamp)
{%- endmacro %}

{#- Java's time-zone data (Spark) and DuckDB's (ICU) disagree for some zones after 2026-11-01
    (issue 14): the marts match across engines only where they agree. -#}
{% macro spark__to_local_time(utc_timestamp, time_zone) -%}
    from_utc_timestamp({{ utc_timestamp }}, {{ time_zone }})
{%- endmacro %}

{#- The day of week of a date or timestamp, 0 = Sunday .. 6 = Saturday (DuckDB's extract(dow);
    Spark's dayofweek counts 1 = Sunday .. 7). -#}
{% macro day_of_week(value) -%}
    {{ return(adapter.dispatch('day_of_week', 'leadwarehouse')(value)) }}
{%- endmacro %}

{% macro default__day_of_week(value) -%}
    extract(dow from {{ value }})
{%- endmacro %}

{% macro spark__day_of_week(value) -%}
    (dayofweek({{ value }}) - 1)
{%- endmacro %}
