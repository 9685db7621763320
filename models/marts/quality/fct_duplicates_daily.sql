{{ config(tags=['downstream']) }}
-- Duplicates and suppression-list hits by day, flow, source and buyer. Three kinds of hit, each
-- counted on its own day:
--   lead rows (recipient_id '(none)'), by submission day: leads, leads rejected as duplicates
--     (the flow's dedupe or a filter on it: reason category `duplicate`), suppression-list
--     checks and hits;
--   buyer rows, by delivery day: deliveries to the buyer and those it refused as duplicates.
with

deliveries as (

    select * from {{ ref('fct_deliveries') }}
    where recipient_kind = 'delivery'

),

hits as (

    select
        submitted_date as day,
        flow_id,
        flow_name,
        source_id,
        source_name,
        '(none)' as recipient_id,
        cast(null as {{ dbt.type_string() }}) as recipient_name,
        submitted_at as seen_at,
        1 as leads,
        case
            when lead_outcome = 'rejected' and reason_category = 'duplicate' then 1 else 0
        end as duplicate_rejections,
        0 as suppression_checks,
        0 as suppression_hits,
        0 as deliveries,
        0 as buyer_duplicates
    from {{ ref('fct_leads') }}

    union all

    select
        check_date as day,
        flow_id,
        flow_name,
        source_id,
        source_name,
        '(none)' as recipient_id,
        cast(null as {{ dbt.type_string() }}) as recipient_name,
        checked_at as seen_at,
        0 as leads,
        0 as duplicate_rejections,
        1 as suppression_checks,
        case when is_hit then 1 else 0 end as suppression_hits,
        0 as deliveries,
        0 as buyer_duplicates
    from {{ ref('fct_suppression_checks') }}

    union all

    select
        delivery_date as day,
        flow_id,
        flow_name,
        source_id,
        source_name,
        recipient_id,
        recipient_name,
        started_at as seen_at,
        0 as leads,
        0 as duplicate_rejections,
        0 as suppression_checks,
        0 as suppression_hits,
        1 as deliveries,
        case
            when final_outcome = 'failure' and final_reason_category = 'duplicate' then 1
            else 0
        end as buyer_duplicates
    from deliveries

),

final as (

    select
        day,
        {{ ids_and_names(['flow', 'source', 'recipient'], 'seen_at') }},
        {{ sum_duplicate_counts() }}
    from hits
    group by day, flow_id, source_id, recipient_id

)

select * from final
