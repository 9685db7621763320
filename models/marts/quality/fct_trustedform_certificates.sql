{{ config(materialized='incremental', unique_key='event_id', tags=['partitioned'],
    partition_by=day_partition('check_date')) }}
-- One row per TrustedForm step event: the certificate's state when the flow checked it. Kept
-- for good (like fct_lead_events: the partition window plus every event loaded since the last
-- run), so its history survives the raw retention purge.
--
-- certificate_status: claimed (retained), unclaimed (found, the claim failed), expired, not_found
-- (the step failed otherwise), missing (no certificate URL: skipped), error (the step errored).
-- An unclaimed certificate expires at the end of its claim window (certificate_expires_at);
-- `is_unclaimed_near_expiry` flags those with at most `trustedform_near_expiry_hours` (24) left
-- when the flow checked them: leads sold on consent that will soon be undocumented.
with

outputs as (

    {{ enhancement_checks('trustedform') }}

),

classified as (

    select
        *,
        case
            when outcome = 'skip' then 'missing'
            when outcome = 'error' then 'error'
            when outcome = 'failure' and lower(reason) like '%expired%' then 'expired'
            when outcome = 'failure' then 'not_found'
            when retain_outcome = 'success' then 'claimed'
            else 'unclaimed'
        end as certificate_status,
        case
            when input_paste then 'pasted'
            when input_autofill then 'autofill'
            when input_typing then 'typed'
            else 'unknown'
        end as form_input_method,
        {{ elapsed_seconds('checked_at', 'certificate_expires_at') }} / 3600 as hours_left_at_check
    from outputs

),

final as (

    select
        {{ enhancement_check_columns() }},
        certificate_status,
        certificate_status = 'claimed' as is_claimed,
        certificate_created_at,
        certificate_expires_at,
        retained_until,
        retain_reason as claim_failure_reason,
        cast(certificate_age_seconds as double) as certificate_age_seconds,
        cast(hours_left_at_check as double) as hours_left_at_check,
        (
            certificate_status = 'unclaimed'
            and hours_left_at_check <= {{ var('trustedform_near_expiry_hours', 24) }}
        ) as is_unclaimed_near_expiry,
        consent_language_detected,
        form_input_method,
        input_typing,
        input_paste,
        input_autofill,
        ingested_at
    from classified

)

select * from final
