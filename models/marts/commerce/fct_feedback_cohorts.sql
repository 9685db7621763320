{{ config(tags=['downstream']) }}
-- Returns and conversions by days since submission, per submission-date cohort (UTC) and
-- buyer. Feedback is counted on the lead's day, whenever it arrives: a return that comes three
-- weeks later raises its cohort's return rate, not the rate of the day it arrived. One row per
-- cohort, buyer and day since submission, from day 0 to the newest day the data covers or the
-- horizon (var cohort_horizon_days, 90), whichever comes first (a complete triangle, then a band:
-- rows grow with the days of data, not with their square), with running totals and rates
-- against the deliveries the buyer took. Feedback after the horizon counts on its last day.
{%- set horizon = var('cohort_horizon_days') | int %}
{%- if horizon < 0 or horizon > 999 %}
    {{ exceptions.raise_compiler_error(
        "var cohort_horizon_days must be 0..999 days, not " ~ horizon) }}
{%- endif %}
with

feedback as (

    select * from {{ ref('fct_feedback') }}
    where feedback_type in ('return', 'conversion')

),

sold as (

    select
        leads.submitted_date as cohort_date,
        deliveries.recipient_id,
        {{ last_seen('deliveries.recipient_name', 'deliveries.started_at') }} as recipient_name,
        count(*) as sold_deliveries
    from {{ ref('int_sold_deliveries') }} as deliveries
    inner join {{ ref('fct_leads') }} as leads
        on deliveries.lead_id = leads.lead_id
    group by leads.submitted_date, deliveries.recipient_id

),

answered as (

    select
        leads.submitted_date as cohort_date,
        feedback.recipient_id,
        least(
            {{ dbt.datediff('leads.submitted_date', 'feedback.feedback_date', 'day') }},
            {{ horizon }}
        ) as days_since_submission,
        count(*) filter (where feedback.feedback_type = 'return') as returns,
        count(*) filter (where feedback.feedback_type = 'conversion') as conversions
    from feedback
    inner join {{ ref('fct_leads') }} as leads
        on feedback.lead_id = leads.lead_id
    group by
        leads.submitted_date,
        feedback.recipient_id,
        least(
            {{ dbt.datediff('leads.submitted_date', 'feedback.feedback_date', 'day') }},
            {{ horizon }}
        )

),

data_end as (

    select max(day) as last_day
    from (
        select max(submitted_date) as day from {{ ref('fct_leads') }}
        union all
        select max(feedback_date) as day from feedback
    ) as days

),

digits as (

    select digits.digit
    from (values (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)) as digits (digit)

),

offsets as (  -- 0 .. the horizon, days since submission

    select hundreds.digit * 100 + tens.digit * 10 + ones.digit as days
    from digits as hundreds
    cross join digits as tens
    cross join digits as ones
    where hundreds.digit * 100 + tens.digit * 10 + ones.digit <= {{ horizon }}

),

triangle as (

    select
        sold.cohort_date,
        sold.recipient_id,
        sold.recipient_name,
        sold.sold_deliveries,
        offsets.days as days_since_submission
    from sold
    cross join data_end
    inner join offsets
        on offsets.days <= {{ dbt.datediff('sold.cohort_date', 'data_end.last_day', 'day') }}

),

filled as (

    select
        triangle.cohort_date,
        triangle.recipient_id,
        triangle.recipient_name,
        triangle.days_since_submission,
        triangle.sold_deliveries,
        coalesce(answered.returns, 0) as returns,
        coalesce(answered.conversions, 0) as conversions
    from triangle
    left join answered
        on triangle.cohort_date = answered.cohort_date
            and triangle.recipient_id = answered.recipient_id
            and triangle.days_since_submission = answered.days_since_submission

),

running as (

    select
        *,
        sum(returns) over (
            partition by cohort_date, recipient_id
            order by days_since_submission
            rows between unbounded preceding and current row
        ) as returns_to_date,
        sum(conversions) over (
            partition by cohort_date, recipient_id
            order by days_since_submission
            rows between unbounded preceding and current row
        ) as conversions_to_date
    from filled

),

final as (

    select
        cohort_date,
        recipient_id,
        recipient_name,
        cast(days_since_submission as integer) as days_since_submission,
        cast(sold_deliveries as bigint) as sold_deliveries,
        cast(returns as bigint) as returns,
        cast(conversions as bigint) as conversions,
        cast(returns_to_date as bigint) as returns_to_date,
        cast(conversions_to_date as bigint) as conversions_to_date,
        {{ safe_divide('returns_to_date', 'sold_deliveries') }} as return_rate_to_date,
        {{ safe_divide('conversions_to_date', 'sold_deliveries') }} as conversion_rate_to_date
    from running

)

select * from final
