with

renamed as (

    select
        dataset,
        source_file,
        source_line,
        reason,
        raw_text,
        octet_length(raw_bytes) as raw_size_bytes,
        batch_id,
        quarantined_at

    from {{ source('raw', 'quarantine') }}

)

select * from renamed
