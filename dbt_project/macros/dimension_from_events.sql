{#- A dimension kept from the events: one row per key with its attributes as last seen and when
    it was first and last seen. Incremental: only events written since the dimension's last update
    are read, and merged with the existing rows (earliest first_seen, latest attributes). -#}
{% macro dimension_from_events(key, attributes, where) -%}
with

events as (

    select * from {{ ref('fct_lead_events') }}
    where {{ key }} is not null and ({{ where }})
    {% if is_incremental() %}
        and {{ newer_than_latest_in('built_at', this, 'updated_at') }}
    {% endif %}

),

latest as (

    select
        {{ key }},
        {{ attributes | join(', ') }},
        started_at,
        row_number() over (
            partition by {{ key }} order by started_at desc, event_id desc
        ) as recency_rank
    from events

),

seen as (

    select
        {{ key }},
        min(started_at) as first_seen_at,
        max(started_at) as last_seen_at,
        max(built_at) as updated_at
    from events
    group by {{ key }}

),

new_rows as (

    select
        latest.{{ key }},
        {% for attribute in attributes %}latest.{{ attribute }},
        {% endfor %}seen.first_seen_at,
        seen.last_seen_at,
        seen.updated_at
    from latest
    inner join seen
        on latest.{{ key }} = seen.{{ key }}
    where latest.recency_rank = 1

),

final as (

    {% if is_incremental() %}
    select
        new_rows.{{ key }},
        {% for attribute in attributes %}case
            when existing.last_seen_at > new_rows.last_seen_at then existing.{{ attribute }}
            else new_rows.{{ attribute }}
        end as {{ attribute }},
        {% endfor %}case
            when existing.first_seen_at < new_rows.first_seen_at then existing.first_seen_at
            else new_rows.first_seen_at
        end as first_seen_at,
        case
            when existing.last_seen_at > new_rows.last_seen_at then existing.last_seen_at
            else new_rows.last_seen_at
        end as last_seen_at,
        new_rows.updated_at
    from new_rows
    left join {{ this }} as existing
        on new_rows.{{ key }} = existing.{{ key }}
    {% else %}
    select * from new_rows
    {% endif %}

)

select * from final
{%- endmacro %}
