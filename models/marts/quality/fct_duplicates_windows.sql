{{ config(tags=['downstream']) }}
-- Duplicates and suppression-list hits over the last 3, 7, 15, 30 and 45 days (ending on the
-- newest day in fct_duplicates_daily), per source (all its flows) and per buyer and source:
-- one row per window and source (recipient_id '(none)': the source's own leads) or buyer.
with

windows as (

    {% for days in [3, 7, 15, 30, 45] %}
        select cast({{ days }} as integer) as window_days
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

newest as (

    select max(day) as as_of_date from {{ ref('fct_duplicates_daily') }}

),

in_window as (

    select
        windows.window_days,
        newest.as_of_date,
        daily.*
    from {{ ref('fct_duplicates_daily') }} as daily
    cross join newest
    inner join windows
        on daily.day > {{ dbt.dateadd('day', '-1 * windows.window_days', 'newest.as_of_date') }}
            and daily.day <= newest.as_of_date

),

summed as (

    select
        window_days,
        as_of_date,
        min(day) as first_day,
        {{ ids_and_names(['source', 'recipient'], 'day') }},
        {{ sum_duplicate_counts() }}
    from in_window
    group by window_days, as_of_date, source_id, recipient_id

),

final as (

    select
        *,
        {{ safe_divide('duplicate_rejections', 'leads') }} as duplicate_rate,
        {{ safe_divide('suppression_hits', 'suppression_checks') }} as suppression_hit_rate,
        {{ safe_divide('buyer_duplicates', 'deliveries') }} as buyer_duplicate_rate
    from summed

)

select * from final
