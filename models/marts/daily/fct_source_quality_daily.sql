{{ config(unique_key='submitted_date', partition_by=day_partition('submitted_date')) }}
-- Source quality per day, flow and source: counts and money that add up over any period
-- (dashboards and fct_source_scorecard sum them), plus the day's rates.
with

daily as (

    select
        leads.submitted_date,
        {{ flow_and_source('leads', 'submitted_at') }},
        {{ lead_outcome_counts('leads') }},
        count(*) filter (where leads.phone_1_valid) as valid_phone,
        count(*) filter (where leads.phone_1_valid is not null) as with_phone,
        count(*) filter (where leads.email_valid) as valid_email,
        count(*) filter (where leads.email_valid is not null) as with_email,
        count(*) filter (where leads.deliveries_succeeded > 0) as sold_leads,
        count(*) filter (where leads.is_returned) as returned,
        count(*) filter (where leads.is_converted) as converted,
        cast(sum(leads.purchase_cost) as decimal(18, 4)) as purchase_cost,
        cast(sum(leads.recipient_cost) as decimal(18, 4)) as recipient_cost,
        cast(sum(leads.delivery_revenue) as decimal(18, 4)) as revenue
    from {{ ref('int_leads_of_days_affected') }} as leads
    group by leads.submitted_date, leads.flow_id, leads.source_id

),

final as (

    select
        *,
        {{ source_quality_rates() }}
    from daily

)

select * from final
