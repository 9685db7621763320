{{ config(unique_key='submitted_date') }}
-- Source quality per day, flow and source: counts and money that add up over any period
-- (dashboards and fct_source_scorecard sum them), plus the day's rates.
with

leads as (

    select * from {{ ref('int_leads_of_days_affected') }}

),

daily as (

    select
        leads.submitted_date,
        {{ flow_and_source('leads', 'submitted_at') }},
        count(*) as leads,
        sum(case when leads.lead_outcome = 'accepted' then 1 else 0 end) as accepted,
        sum(case when leads.lead_outcome = 'rejected' then 1 else 0 end) as rejected,
        sum(case when leads.phone_1_valid then 1 else 0 end) as valid_phone,
        sum(case when leads.phone_1_valid is not null then 1 else 0 end) as with_phone,
        sum(case when leads.email_valid then 1 else 0 end) as valid_email,
        sum(case when leads.email_valid is not null then 1 else 0 end) as with_email,
        sum(leads.deliveries_succeeded) as deliveries_succeeded,
        sum(case when leads.deliveries_succeeded > 0 then 1 else 0 end) as sold_leads,
        sum(case when leads.is_returned then 1 else 0 end) as returned,
        sum(case when leads.is_converted then 1 else 0 end) as converted,
        sum(leads.purchase_cost) as purchase_cost,
        sum(leads.recipient_cost) as recipient_cost,
        sum(leads.delivery_revenue) as revenue
    from leads
    group by leads.submitted_date, leads.flow_id, leads.source_id

),

final as (

    select
        submitted_date,
        flow_id,
        flow_name,
        source_id,
        source_name,
        cast(leads as bigint) as leads,
        cast(accepted as bigint) as accepted,
        cast(rejected as bigint) as rejected,
        cast(valid_phone as bigint) as valid_phone,
        cast(with_phone as bigint) as with_phone,
        cast(valid_email as bigint) as valid_email,
        cast(with_email as bigint) as with_email,
        cast(sold_leads as bigint) as sold_leads,
        cast(returned as bigint) as returned,
        cast(converted as bigint) as converted,
        cast(purchase_cost as decimal(18, 4)) as purchase_cost,
        cast(recipient_cost as decimal(18, 4)) as recipient_cost,
        cast(revenue as decimal(18, 4)) as revenue,
        {{ source_quality_rates() }}
    from daily

)

select * from final
