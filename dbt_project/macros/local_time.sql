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
