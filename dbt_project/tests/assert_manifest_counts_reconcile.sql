-- Every landed file: records read = loaded + duplicates + quarantined.
select *
from {{ ref('stg_leadconduit__ingest_manifest') }}
where records_read <> loaded + duplicates + quarantined
