{{ config(tags=['downstream']) }}
-- Cap pacing per UTC month, source and buyer: leads counted against the monthly cap, how much
-- of it is used, the day the running count first reached it, and on how many days the daily
-- cap was reached.
with

dated as (

    select
        *,
        cast({{ dbt.date_trunc('month', 'cap_date') }} as date) as cap_month
    from {{ ref('fct_cap_pacing_daily') }}

),

running as (

    select
        dated.*,
        sum(dated.counted) over (
            partition by dated.cap_kind, dated.entity_id, dated.cap_month
            order by dated.cap_date
            rows between unbounded preceding and current row
        ) as counted_to_date,
        caps.monthly_cap
    from dated
    left join {{ ref('caps') }} as caps
        on dated.cap_kind = caps.cap_kind
            and dated.entity_name = caps.entity_name

),

monthly as (

    select
        cap_month,
        cap_kind,
        entity_id,
        {{ last_seen('entity_name', 'cap_date') }} as entity_name,
        min(cap_date) as first_day,
        max(cap_date) as last_day,
        count(*) as days_with_leads,
        sum(offered) as offered,
        sum(counted) as counted,
        sum(capped) as capped,
        sum(case when cap_reached then 1 else 0 end) as days_cap_reached,
        min(first_capped_at) as first_capped_at,
        min(case when counted_to_date >= monthly_cap then cap_date end) as monthly_cap_reached_on,
        max(monthly_cap) as monthly_cap
    from running
    group by cap_month, cap_kind, entity_id

),

final as (

    select
        cap_month,
        cap_kind,
        entity_id,
        entity_name,
        first_day,
        last_day,
        cast(days_with_leads as bigint) as days_with_leads,
        cast(offered as bigint) as offered,
        cast(counted as bigint) as counted,
        cast(capped as bigint) as capped,
        cast(days_cap_reached as bigint) as days_cap_reached,
        first_capped_at,
        cast(monthly_cap as bigint) as monthly_cap,
        {{ safe_divide('counted', 'monthly_cap') }} as monthly_cap_used,
        monthly_cap_reached_on
    from monthly

)

select * from final
