{{ config(tags=['downstream']) }}
-- TrustedForm certificate health by day (of the check), flow and source: how many certificates
-- were claimed (retained), left unclaimed (and how many of those near expiry), expired, not
-- found or missing; how the form was filled in; the certificate's age when it was claimed.
with

daily as (

    select
        check_date,
        {{ flow_and_source(none, 'checked_at') }},
        count(*) as checks,
        count(*) filter (where certificate_status in ('claimed', 'unclaimed')) as certificates,
        count(*) filter (where certificate_status = 'claimed') as claimed,
        count(*) filter (where certificate_status = 'unclaimed') as unclaimed,
        count(*) filter (where is_unclaimed_near_expiry) as unclaimed_near_expiry,
        count(*) filter (where certificate_status = 'expired') as expired,
        count(*) filter (where certificate_status = 'not_found') as not_found,
        count(*) filter (where certificate_status = 'missing') as missing,
        count(*) filter (where certificate_status = 'error') as errored,
        count(*) filter (
            where certificate_status in ('claimed', 'unclaimed') and not consent_language_detected
        ) as consent_missing,
        count(*) filter (where form_input_method = 'typed') as typed,
        count(*) filter (where form_input_method = 'pasted') as pasted,
        count(*) filter (where form_input_method = 'autofill') as autofilled,
        avg(case when is_claimed then certificate_age_seconds end) as age_at_claim_seconds_avg,
        percentile_cont(0.5) within group (
            order by case when is_claimed then certificate_age_seconds end
        ) as age_at_claim_seconds_p50,
        min(case when is_unclaimed_near_expiry then hours_left_at_check end)
            as unclaimed_min_hours_left
    from {{ ref('fct_trustedform_certificates') }}
    group by check_date, flow_id, source_id

),

final as (

    select
        *,
        {{ safe_divide('claimed', 'certificates') }} as claim_rate,
        {{ safe_divide('unclaimed_near_expiry', 'certificates') }} as near_expiry_rate,
        {{ safe_divide('pasted', 'certificates') }} as pasted_rate
    from daily

)

select * from final
