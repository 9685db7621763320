{{ config(materialized='incremental', unique_key='event_id', tags=['partitioned'],
    partition_by=day_partition('check_date')) }}
-- One row per suppression-list step event: whether the list found the lead (a hit: the lead was
-- seen before, or is on a do-not-contact list). Kept for good, like fct_trustedform_certificates.
with

outputs as (

    {{ enhancement_checks('suppressionlist') }}

),

final as (

    select
        {{ enhancement_check_columns() }},
        coalesce(outcome = 'success' and suppression_found, false) as is_hit,
        ingested_at
    from outputs

)

select * from final
