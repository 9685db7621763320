with

renamed as (

    select
        lead_id,
        submitted_at,
        submitted_date,
        account_id,
        account_name,
        flow_id,
        flow_name,
        source_id,
        source_name,
        fields,
        source_file,
        source_line,
        batch_id,
        ingested_at

    from {{ source('raw', 'lead_submissions') }}

)

select * from renamed
