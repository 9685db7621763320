{{ config(tags=['downstream']) }}
-- TrustedForm certificate health by day (of the check), flow and source: how many certificates
-- were claimed (retained), left unclaimed (and how many of those near expiry), expired, not
-- found or missing; how the form was filled in; the certificate's age when it was claimed.
with

certificates as (

    select * from {{ ref('fct_trustedform_certificates') }}

),

daily as (

    select
        check_date,
        {{ flow_and_source(none, 'checked_at') }},
        count(*) as checks,
        sum(case when certificate_status in ('claimed', 'unclaimed') then 1 else 0 end)
            as certificates,
        sum(case when certificate_status = 'claimed' then 1 else 0 end) as claimed,
        sum(case when certificate_status = 'unclaimed' then 1 else 0 end) as unclaimed,
        sum(case when is_unclaimed_near_expiry then 1 else 0 end) as unclaimed_near_expiry,
        sum(case when certificate_status = 'expired' then 1 else 0 end) as expired,
        sum(case when certificate_status = 'not_found' then 1 else 0 end) as not_found,
        sum(case when certificate_status = 'missing' then 1 else 0 end) as missing,
        sum(case when certificate_status = 'error' then 1 else 0 end) as errored,
        sum(
            case
                when certificate_status in ('claimed', 'unclaimed')
                    and not consent_language_detected then 1
                else 0
            end
        ) as consent_missing,
        sum(case when form_input_method = 'typed' then 1 else 0 end) as typed,
        sum(case when form_input_method = 'pasted' then 1 else 0 end) as pasted,
        sum(case when form_input_method = 'autofill' then 1 else 0 end) as autofilled,
        avg(case when is_claimed then certificate_age_seconds end) as age_at_claim_seconds_avg,
        percentile_cont(0.5) within group (
            order by case when is_claimed then certificate_age_seconds end
        ) as age_at_claim_seconds_p50,
        min(case when is_unclaimed_near_expiry then hours_left_at_check end)
            as unclaimed_min_hours_left
    from certificates
    group by check_date, flow_id, source_id

),

final as (

    select
        check_date,
        flow_id,
        flow_name,
        source_id,
        source_name,
        cast(checks as bigint) as checks,
        cast(certificates as bigint) as certificates,
        cast(claimed as bigint) as claimed,
        cast(unclaimed as bigint) as unclaimed,
        cast(unclaimed_near_expiry as bigint) as unclaimed_near_expiry,
        cast(expired as bigint) as expired,
        cast(not_found as bigint) as not_found,
        cast(missing as bigint) as missing,
        cast(errored as bigint) as errored,
        cast(consent_missing as bigint) as consent_missing,
        cast(typed as bigint) as typed,
        cast(pasted as bigint) as pasted,
        cast(autofilled as bigint) as autofilled,
        {{ safe_divide('claimed', 'certificates') }} as claim_rate,
        {{ safe_divide('unclaimed_near_expiry', 'certificates') }} as near_expiry_rate,
        {{ safe_divide('pasted', 'certificates') }} as pasted_rate,
        cast(age_at_claim_seconds_avg as double) as age_at_claim_seconds_avg,
        cast(age_at_claim_seconds_p50 as double) as age_at_claim_seconds_p50,
        cast(unclaimed_min_hours_left as double) as unclaimed_min_hours_left
    from daily

)

select * from final
