{#- A UTC timestamp as wall-clock time, given the zone's UTC offset at that instant in seconds
    (seed time_zone_offsets, joined on the zone and valid_from <= t < valid_until). The offsets
    come from one time-zone database (ingest/reference/time_zone_offsets.py), not the engine's:
    DuckDB's (ICU) and Spark's (Java) disagree for some zones after 2026-11-01. -#}
{% macro to_local_time(utc_timestamp, utc_offset_seconds) -%}
    {{ micros_to_timestamp(
        epoch_micros(utc_timestamp) ~ ' + cast(' ~ utc_offset_seconds ~ ' as bigint) * 1000000'
    ) }}
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
