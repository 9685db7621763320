{#- An epoch number (DOUBLE) as a timestamp, read in the unit its magnitude says, as the landing
    readers do (ingest/landing/readers.py, EPOCH_UNITS_TO_MS): below 1e11 seconds, below 1e14
    milliseconds, below 1e17 microseconds, below 1e20 nanoseconds. Null outside 2000 .. 2100,
    so one odd value can never overflow a build. Engine-specific: used in staging only. -#}
{% macro epoch_to_timestamp(number) -%}
    {%- set ms -%}
        case
            when abs({{ number }}) < 1e11 then {{ number }} * 1000
            when abs({{ number }}) < 1e14 then {{ number }}
            when abs({{ number }}) < 1e17 then {{ number }} / 1e3
            when abs({{ number }}) < 1e20 then {{ number }} / 1e6
        end
    {%- endset -%}
    case
        when ({{ ms }}) between 946684800000 and 4102444800000
            then {{ micros_to_timestamp('cast((' ~ ms ~ ') * 1000 as bigint)') }}
    end
{%- endmacro %}

{#- Microseconds since the epoch (BIGINT) as a UTC timestamp. -#}
{% macro micros_to_timestamp(micros) -%}
    {{ return(adapter.dispatch('micros_to_timestamp', 'leadwarehouse')(micros)) }}
{%- endmacro %}

{% macro default__micros_to_timestamp(micros) -%}
    make_timestamp({{ micros }})
{%- endmacro %}

{% macro spark__micros_to_timestamp(micros) -%}
    timestamp_micros({{ micros }})
{%- endmacro %}

{#- An ISO 8601 text with any UTC offset (the payload's `timestamp`, `created_at`, `expires_at`)
    as a UTC timestamp; null when the text is not a time. Engine-specific: used in staging only.
    Spark reads it in the session time zone, which the spark target sets to UTC. -#}
{% macro iso_to_utc_timestamp(text) -%}
    {{ return(adapter.dispatch('iso_to_utc_timestamp', 'leadwarehouse')(text)) }}
{%- endmacro %}

{% macro default__iso_to_utc_timestamp(text) -%}
    cast(try_cast({{ text }} as timestamptz) at time zone 'UTC' as timestamp)
{%- endmacro %}

{% macro spark__iso_to_utc_timestamp(text) -%}
    cast({{ text }} as timestamp)
{%- endmacro %}

{#- The time from one timestamp to another in seconds (DOUBLE), exactly as elapsed: the two
    instants as integer microseconds, subtracted, then divided, so both engines give the same
    bits. (dbt.datediff counts unit boundaries crossed on DuckDB and elapsed units on Spark.) -#}
{% macro elapsed_seconds(start, end) -%}
    cast({{ epoch_micros(end) }} - {{ epoch_micros(start) }} as double) / 1000000
{%- endmacro %}

{% macro epoch_micros(timestamp) -%}
    {{ return(adapter.dispatch('epoch_micros', 'leadwarehouse')(timestamp)) }}
{%- endmacro %}

{% macro default__epoch_micros(timestamp) -%}
    epoch_us({{ timestamp }})
{%- endmacro %}

{% macro spark__epoch_micros(timestamp) -%}
    unix_micros({{ timestamp }})
{%- endmacro %}
