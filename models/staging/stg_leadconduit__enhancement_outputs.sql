-- One row per TrustedForm or suppression-list step event: what the step appended to the lead
-- (the event's `trustedform` / `suppressionlist` property). Engine-specific JSON access stays
-- here, in staging, so the quality marts are portable SQL. Only recipient events whose payload
-- names one of the two integrations are parsed, and only those whose own module is one of them
-- are kept (a delivery whose payload merely mentions one is not a check); a value of the wrong
-- type becomes null.
with

source as (

    select
        *,
        -- what a quality fact of one service filters on before anything is parsed
        payload like '%"leadconduit-trustedform.%' as payload_names_trustedform,
        payload like '%"leadconduit-suppressionlist.%' as payload_names_suppressionlist
    from {{ source('raw', 'lead_events') }}
    where event_type = 'recipient'
        and (
            payload like '%"leadconduit-trustedform.%'
            or payload like '%"leadconduit-suppressionlist.%'
        )

),

parsed as (

    select
        *,
        {{ parse_json('payload', {
            "reason": "VARCHAR", "step_id": "VARCHAR", "module_id": "VARCHAR",
            "vars": {
                "flow": {"id": "VARCHAR", "name": "VARCHAR"},
                "source": {"id": "VARCHAR", "name": "VARCHAR"},
                "submission": {"timestamp": "VARCHAR"}
            },
            "trustedform": {
                "outcome": "VARCHAR", "reason": "VARCHAR", "age_in_seconds": "DOUBLE",
                "consent_language_detected": "BOOLEAN", "created_at": "VARCHAR",
                "expires_at": "VARCHAR", "form_input_method": "VARCHAR[]",
                "retain": {"outcome": "VARCHAR", "reason": "VARCHAR", "expires_at": "VARCHAR"}
            },
            "suppressionlist": {"query_item": {"found": "BOOLEAN"}}
        }) }} as p
    from source

),

renamed as (

    select
        parsed.event_id,
        parsed.lead_id,
        case
            when p.module_id like 'leadconduit-trustedform.%' then 'trustedform'
            when p.module_id like 'leadconduit-suppressionlist.%' then 'suppressionlist'
        end as service,
        parsed.outcome,
        nullif(trim(p.reason), '') as reason,
        parsed.event_at as checked_at,
        parsed.event_date as check_date,
        p.step_id,
        p.module_id,
        {{ flow_and_source_of_payload('p') }},
        {{ iso_to_utc_timestamp('p.vars.submission.timestamp') }} as submitted_at,
        {{ iso_to_utc_timestamp('p.trustedform.created_at') }} as certificate_created_at,
        {{ iso_to_utc_timestamp('p.trustedform.expires_at') }} as certificate_expires_at,
        p.trustedform.age_in_seconds as certificate_age_seconds,
        p.trustedform.consent_language_detected,
        coalesce({{ list_has('p.trustedform.form_input_method', "'typing'") }}, false)
            as input_typing,
        coalesce({{ list_has('p.trustedform.form_input_method', "'paste'") }}, false)
            as input_paste,
        coalesce({{ list_has('p.trustedform.form_input_method', "'autofill'") }}, false)
            as input_autofill,
        p.trustedform.retain.outcome as retain_outcome,
        nullif(trim(p.trustedform.retain.reason), '') as retain_reason,
        {{ iso_to_utc_timestamp('p.trustedform.retain.expires_at') }} as retained_until,
        p.suppressionlist.query_item.found as suppression_found,
        parsed.ingested_at,
        parsed.payload_names_trustedform,
        parsed.payload_names_suppressionlist

    from parsed

)

select * from renamed
where service is not null
