-- The typed leads (ingest/typed/leads.py): one row per lead, the key fields the marts use.
with

renamed as (

    select
        lead_id,
        state__normal as state,
        phone_1__valid as phone_1_valid,
        email__valid as email_valid,
        postal_code__valid as postal_code_valid

    from {{ source('typed', 'leads') }}

)

select * from renamed
