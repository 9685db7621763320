{{ config(materialized='ephemeral') }}
-- Every lead submitted on a day this run rebuilds (int_days_affected): what the daily lead
-- aggregates are computed from, a whole day at a time.
with

days as (

    select day from {{ ref('int_days_affected') }}
    where day_kind = 'submission'

),

final as (

    select leads.*
    from {{ ref('fct_leads') }} as leads
    inner join days
        on leads.submitted_date = days.day

)

select * from final
