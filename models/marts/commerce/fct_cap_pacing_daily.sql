{{ config(tags=['downstream']) }}
-- Cap pacing per UTC day: for each source and each buyer, the leads that counted against its
-- daily cap, the leads its cap turned away, and when the cap was first reached that day.
-- A source's cap rejects a lead before any step (`Cap reached`, step_count 0: reason category
-- `cap`); a buyer's cap skips its delivery step (`Recipient cap met`). What counts: the leads
-- a source's cap let in (accepted or not: the cap is on what the flow takes in), the deliveries
-- a buyer took (final outcome success).
with

deliveries as (

    select * from {{ ref('fct_deliveries') }}
    where recipient_kind = 'delivery'

),

source_leads as (

    select
        'source' as cap_kind,
        source_id as entity_id,
        source_name as entity_name,
        submitted_date as cap_date,
        submitted_at as happened_at,
        case
            when rejected_by = 'acceptance_criteria' and reason_category = 'cap' then 0 else 1
        end as counted,
        case
            when rejected_by = 'acceptance_criteria' and reason_category = 'cap' then 1 else 0
        end as capped
    from {{ ref('fct_leads') }}

),

buyer_deliveries as (

    select
        'recipient' as cap_kind,
        recipient_id as entity_id,
        recipient_name as entity_name,
        delivery_date as cap_date,
        started_at as happened_at,
        case when final_outcome = 'success' then 1 else 0 end as counted,
        case when first_outcome = 'skip' and final_reason_category = 'cap' then 1 else 0 end
            as capped
    from deliveries

),

attempts as (

    select * from source_leads
    union all
    select * from buyer_deliveries

),

first_caps as (

    select
        cap_kind,
        entity_id,
        cap_date,
        min(happened_at) as first_capped_at
    from attempts
    where capped = 1
    group by cap_kind, entity_id, cap_date

),

daily as (

    select
        attempts.cap_kind,
        attempts.entity_id,
        {{ last_seen('attempts.entity_name', 'attempts.happened_at') }} as entity_name,
        attempts.cap_date,
        count(*) as offered,
        sum(attempts.counted) as counted,
        sum(attempts.capped) as capped,
        sum(
            case
                when first_caps.first_capped_at is null
                    or attempts.happened_at < first_caps.first_capped_at
                    then attempts.counted
                else 0
            end
        ) as counted_before_cap,
        min(first_caps.first_capped_at) as first_capped_at
    from attempts
    left join first_caps
        on attempts.cap_kind = first_caps.cap_kind
            and attempts.entity_id = first_caps.entity_id
            and attempts.cap_date = first_caps.cap_date
    group by attempts.cap_kind, attempts.entity_id, attempts.cap_date

),

final as (

    select
        daily.cap_date,
        daily.cap_kind,
        daily.entity_id,
        daily.entity_name,
        cast(daily.offered as bigint) as offered,
        cast(daily.counted as bigint) as counted,
        cast(daily.capped as bigint) as capped,
        cast(daily.counted_before_cap as bigint) as counted_before_cap,
        daily.first_capped_at is not null as cap_reached,
        daily.first_capped_at,
        cast(extract(hour from daily.first_capped_at) as integer) as first_capped_hour_utc,
        cast(caps.daily_cap as bigint) as daily_cap,
        {{ safe_divide('daily.counted', 'caps.daily_cap') }} as daily_cap_used
    from daily
    left join {{ ref('caps') }} as caps
        on daily.cap_kind = caps.cap_kind
            and daily.entity_name = caps.entity_name

)

select * from final
