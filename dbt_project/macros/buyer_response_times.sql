{#- Buyer response times grouped by buyer and the given columns of the buyer calls
    (`delivery_date`, `hour_utc`): deliveries that called the buyer, timeouts, and percentiles
    of the first attempt's processing time and remote wait, in ms to 0.1 ms
    (fct_buyer_response_daily/_hourly). -#}
{% macro buyer_response_times(group_columns) -%}
with

deliveries as (

    select * from {{ ref('fct_deliveries') }}

),

calls as (

    select
        recipient_id,
        recipient_name,
        delivery_date,
        cast(extract(hour from started_at) as integer) as hour_utc,
        started_at,
        latency_ms,
        wait_ms,
        first_outcome,
        case
            when first_outcome = 'error'
                and (
                    lower(first_reason) like '%timeout%' or lower(first_reason) like '%timedout%'
                )
                then 1
            else 0
        end as timed_out
    from deliveries
    where recipient_kind = 'delivery'
        and first_outcome <> 'skip'
        and latency_ms is not null

),

grouped as (

    select
        recipient_id,
        {{ last_seen('recipient_name', 'started_at') }} as recipient_name,
        {% for column in group_columns %}{{ column }},
        {% endfor %}count(*) as calls,
        sum(timed_out) as timeouts,
        sum(case when first_outcome = 'error' then 1 else 0 end) as errors,
        avg(latency_ms) as latency_ms_avg,
        {{ percentile('latency_ms', 0.5) }} as latency_ms_p50,
        {{ percentile('latency_ms', 0.9) }} as latency_ms_p90,
        {{ percentile('latency_ms', 0.99) }} as latency_ms_p99,
        max(latency_ms) as latency_ms_max,
        {{ percentile('wait_ms', 0.5) }} as wait_ms_p50,
        {{ percentile('wait_ms', 0.99) }} as wait_ms_p99
    from calls
    group by recipient_id{% for column in group_columns %}, {{ column }}{% endfor %}

),

final as (

    select
        {% for column in group_columns %}{{ column }},
        {% endfor %}recipient_id,
        recipient_name,
        cast(calls as bigint) as calls,
        cast(timeouts as bigint) as timeouts,
        cast(errors as bigint) as errors,
        {{ safe_divide('timeouts', 'calls') }} as timeout_rate,
        {{ round_half_up('latency_ms_avg', 1) }} as latency_ms_avg,
        {{ round_half_up('latency_ms_p50', 1) }} as latency_ms_p50,
        {{ round_half_up('latency_ms_p90', 1) }} as latency_ms_p90,
        {{ round_half_up('latency_ms_p99', 1) }} as latency_ms_p99,
        {{ round_half_up('latency_ms_max', 1) }} as latency_ms_max,
        {{ round_half_up('wait_ms_p50', 1) }} as wait_ms_p50,
        {{ round_half_up('wait_ms_p99', 1) }} as wait_ms_p99
    from grouped

)

select * from final
{%- endmacro %}
