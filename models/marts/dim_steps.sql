{{ config(materialized='table', tags=['downstream']) }}
-- One row per flow step (filter or recipient), with what it is as last seen and a human name:
-- the name given in the step_names seed, else the recipient's name (enhancement or buyer), else
-- for a filter "Filter: <the reason it stops leads with most often>", else "Filter <step id>".
-- Rebuilt whole each run (a scan of the step events), so a name given in the seed or a filter's
-- commonest reason applies to every step at once.
with

steps as (

    {{
        dimension_from_events(
            'step_id',
            ['flow_id', 'flow_name', 'event_type', 'recipient_kind', 'module_id', 'recipient_id',
             'recipient_name'],
            "event_type in ('filter', 'recipient')",
        ) | indent(4)
    }}

),

named as (

    select * from {{ ref('step_names') }}

),

stop_reasons as (

    select
        step_id,
        reason,
        row_number() over (
            partition by step_id order by count(*) desc, reason
        ) as frequency_rank
    from {{ ref('fct_lead_events') }}
    where event_type = 'filter' and outcome = 'stop' and reason is not null
    group by step_id, reason

),

final as (

    select
        steps.step_id,
        steps.flow_id,
        steps.flow_name,
        steps.event_type,
        steps.recipient_kind,
        steps.module_id,
        steps.recipient_id,
        steps.recipient_name,
        steps.first_seen_at,
        steps.last_seen_at,
        steps.updated_at,
        case
            when named.step_name is not null then named.step_name
            when steps.recipient_name is not null then steps.recipient_name
            when stop_reasons.reason is not null
                then {{ dbt.concat(["'Filter: '", 'stop_reasons.reason']) }}
            else {{ dbt.concat(["'Filter '", 'steps.step_id']) }}
        end as step_name,
        case
            when named.step_name is not null then 'step_names'
            when steps.recipient_name is not null then 'recipient'
            when stop_reasons.reason is not null then 'stop_reason'
            else 'step_id'
        end as step_name_from
    from steps
    left join named
        on steps.step_id = named.step_id
    left join stop_reasons
        on steps.step_id = stop_reasons.step_id
            and stop_reasons.frequency_rank = 1

)

select * from final
