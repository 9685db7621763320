-- Every landed file: records read = loaded + duplicates + quarantined + expired (dated before
-- the last retention purge's cutoff, not stored).
select *
from {{ ref('stg_leadconduit__ingest_manifest') }}
where records_read <> loaded + duplicates + quarantined + expired
