{{ config(materialized='incremental', unique_key='lead_id', tags=['partitioned'],
    partition_by=day_partition('submitted_date')) }}
-- One row per lead with a source event: where it came from, what happened to it, what it cost
-- and earned, and whether its key fields were valid. Rebuilt for the leads touched by this run.
with

delivery_totals as (

    select
        lead_id,
        sum(case when recipient_kind = 'delivery' then 1 else 0 end) as deliveries_attempted,
        sum(
            case when recipient_kind = 'delivery' and final_outcome = 'success' then 1 else 0 end
        ) as deliveries_succeeded,
        sum(case when recipient_kind = 'enhancement' then 1 else 0 end) as enhancements_run,
        sum(case when recipient_kind = 'delivery' then revenue else 0 end) as delivery_revenue,
        sum(cost) as recipient_cost
    from {{ ref('int_deliveries_retries_resolved') }}
    group by lead_id

),

feedback_totals as (

    select
        lead_id,
        sum(case when feedback_type = 'return' then 1 else 0 end) as returns,
        sum(case when feedback_type = 'conversion' then 1 else 0 end) as conversions
    from {{ ref('fct_feedback') }}
    group by lead_id

),

located as (

    select
        outcomes.*,
        typed_leads.state,
        typed_leads.phone_1_valid,
        typed_leads.email_valid,
        typed_leads.postal_code_valid,
        coalesce(states.time_zone, '{{ var("default_time_zone", "America/New_York") }}')
            as local_time_zone,
        case when states.time_zone is null then 'default' else 'state' end as local_time_zone_from
    from {{ ref('int_leads_outcomes_resolved') }} as outcomes
    left join {{ ref('stg_typed__leads') }} as typed_leads
        on outcomes.lead_id = typed_leads.lead_id
    left join {{ ref('states') }} as states
        on typed_leads.state = states.code

),

localized as (

    select
        located.*,
        {{ to_local_time('located.submitted_at', 'offsets.utc_offset_seconds') }}
            as submitted_at_local
    from located
    left join {{ ref('time_zone_offsets') }} as offsets
        on
            located.local_time_zone = offsets.time_zone
            and located.submitted_at >= offsets.valid_from
            and located.submitted_at < offsets.valid_until

),

final as (

    select
        localized.lead_id,
        localized.source_event_id,
        localized.account_id,
        localized.flow_id,
        localized.flow_name,
        localized.source_id,
        localized.source_name,
        localized.submitted_at,
        cast(localized.submitted_at as date) as submitted_date,
        cast(extract(hour from localized.submitted_at) as integer) as submitted_hour_utc,
        localized.submitted_at_local,
        cast(localized.submitted_at_local as date) as local_date,
        cast(extract(hour from localized.submitted_at_local) as integer) as local_hour,
        cast({{ day_of_week('localized.submitted_at_local') }} as integer) as local_weekday,
        localized.local_time_zone,
        localized.local_time_zone_from,
        localized.completed_at,
        localized.lead_outcome,
        localized.source_outcome,
        localized.reason,
        localized.reason_category,
        localized.rejecting_step_id,
        localized.rejected_by,
        localized.step_count,
        localized.purchase_price as purchase_cost,
        cast(coalesce(delivery_totals.delivery_revenue, 0) as decimal(18, 4)) as delivery_revenue,
        cast(coalesce(delivery_totals.recipient_cost, 0) as decimal(18, 4)) as recipient_cost,
        cast(
            coalesce(delivery_totals.delivery_revenue, 0) - localized.purchase_price
            - coalesce(delivery_totals.recipient_cost, 0) as decimal(18, 4)
        ) as profit,
        cast(coalesce(delivery_totals.deliveries_attempted, 0) as integer) as deliveries_attempted,
        cast(coalesce(delivery_totals.deliveries_succeeded, 0) as integer) as deliveries_succeeded,
        cast(coalesce(delivery_totals.enhancements_run, 0) as integer) as enhancements_run,
        cast(coalesce(feedback_totals.returns, 0) as integer) as returns,
        cast(coalesce(feedback_totals.conversions, 0) as integer) as conversions,
        coalesce(feedback_totals.returns, 0) > 0 as is_returned,
        coalesce(feedback_totals.conversions, 0) > 0 as is_converted,
        case
            when coalesce(feedback_totals.conversions, 0) > 0 then 'converted'
            when coalesce(feedback_totals.returns, 0) > 0 then 'returned'
            else localized.lead_outcome
        end as lead_status,
        localized.state,
        localized.phone_1_valid,
        localized.email_valid,
        localized.postal_code_valid,
        {{ this_run_at() }} as built_at
    from localized
    left join delivery_totals
        on localized.lead_id = delivery_totals.lead_id
    left join feedback_totals
        on localized.lead_id = feedback_totals.lead_id

)

select * from final
