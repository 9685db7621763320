{{ config(tags=['downstream']) }}
-- Supplier profit and loss per UTC month of submission and source: what its leads cost
-- (purchase price paid to the source, plus the enhancement and delivery steps they ran), what
-- buyers paid for them, the revenue given back on returned deliveries, and the profit left.
-- Returns and conversions count on the lead's month, whenever they arrived.
with

returned_revenue as (

    select
        lead_id,
        sum(revenue) as returned_revenue
    from {{ ref('int_sold_deliveries') }}
    where is_returned
    group by lead_id

),

lead_money as (

    select
        leads.*,
        cast({{ dbt.date_trunc('month', 'leads.submitted_date') }} as date) as pnl_month,
        coalesce(returned_revenue.returned_revenue, 0) as returned_revenue
    from {{ ref('fct_leads') }} as leads
    left join returned_revenue
        on leads.lead_id = returned_revenue.lead_id

),

monthly as (

    select
        pnl_month,
        source_id,
        {{ last_seen('source_name', 'submitted_at') }} as source_name,
        count(*) as leads,
        count(*) filter (where lead_outcome = 'accepted') as accepted,
        count(*) filter (where deliveries_succeeded > 0) as sold_leads,
        sum(returns) as returns,
        sum(conversions) as conversions,
        sum(purchase_cost) as purchase_cost,
        sum(recipient_cost) as recipient_cost,
        sum(delivery_revenue) as revenue,
        sum(returned_revenue) as returned_revenue
    from lead_money
    group by pnl_month, source_id

),

final as (

    select
        pnl_month,
        source_id,
        source_name,
        cast(leads as bigint) as leads,
        cast(accepted as bigint) as accepted,
        cast(sold_leads as bigint) as sold_leads,
        cast(returns as bigint) as returns,
        cast(conversions as bigint) as conversions,
        cast(purchase_cost as decimal(18, 4)) as purchase_cost,
        cast(recipient_cost as decimal(18, 4)) as recipient_cost,
        cast(purchase_cost + recipient_cost as decimal(18, 4)) as cost,
        cast(revenue as decimal(18, 4)) as revenue,
        cast(returned_revenue as decimal(18, 4)) as returned_revenue,
        cast(revenue - returned_revenue as decimal(18, 4)) as net_revenue,
        cast(revenue - returned_revenue - purchase_cost - recipient_cost as decimal(18, 4))
            as profit,
        {{ safe_divide('revenue - returned_revenue - purchase_cost - recipient_cost',
                       'revenue - returned_revenue') }} as margin,
        {{ safe_divide('purchase_cost + recipient_cost', 'conversions') }}
            as cost_per_conversion,
        {{ safe_divide('purchase_cost + recipient_cost', 'leads') }} as cost_per_lead,
        {{ safe_divide('revenue - returned_revenue', 'leads') }} as revenue_per_lead
    from monthly

)

select * from final
