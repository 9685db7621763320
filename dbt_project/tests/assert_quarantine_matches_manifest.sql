{{ config(meta={'dagster': {'ref': {'name': 'stg_leadconduit__quarantine'}}}) }}
-- The quarantine table holds exactly the records the manifest says were quarantined.
with manifest as (
    select batch_id, file_path, sum(quarantined) as quarantined
    from {{ ref('stg_leadconduit__ingest_manifest') }}
    group by batch_id, file_path
),

quarantine as (
    select batch_id, source_file as file_path, count(*) as quarantined
    from {{ ref('stg_leadconduit__quarantine') }}
    group by batch_id, source_file
)

select *
from manifest
full outer join quarantine using (batch_id, file_path)
where coalesce(manifest.quarantined, 0) <> coalesce(quarantine.quarantined, 0)
