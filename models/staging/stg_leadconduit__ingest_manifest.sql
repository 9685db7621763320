with

renamed as (

    select
        dataset,
        file_path,
        content_hash,
        size_bytes,
        status,
        note,
        records_read,
        loaded,
        duplicates,
        quarantined,
        expired,
        batch_id,
        ingested_at

    from {{ source('raw', 'ingest_manifest') }}

)

select * from renamed
