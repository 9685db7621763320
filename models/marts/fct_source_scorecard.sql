{{ config(tags=['downstream']) }}
-- The source-quality scorecard over all history: one row per flow and source.
with

totals as (

    select
        flow_id,
        {{ last_seen('flow_name', 'submitted_date') }} as flow_name,
        source_id,
        {{ last_seen('source_name', 'submitted_date') }} as source_name,
        min(submitted_date) as first_day,
        max(submitted_date) as last_day,
        {{ sum_counts([
            'leads', 'accepted', 'rejected', 'valid_phone', 'with_phone', 'valid_email',
            'with_email', 'sold_leads', 'returned', 'converted',
        ]) }},
        cast(sum(purchase_cost) as decimal(18, 4)) as purchase_cost,
        cast(sum(recipient_cost) as decimal(18, 4)) as recipient_cost,
        cast(sum(revenue) as decimal(18, 4)) as revenue
    from {{ ref('fct_source_quality_daily') }}
    group by flow_id, source_id

),

final as (

    select
        *,
        {{ source_quality_rates() }}
    from totals

)

select * from final
