{#- Each count column summed over the group, as a bigint again (DuckDB sums integers into a
    hugeint): the marts that add up daily counts (fct_source_scorecard, the duplicates marts). -#}
{% macro sum_counts(columns) -%}
    {%- for column in columns %}
        cast(sum({{ column }}) as bigint) as {{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- The counts of the duplicates marts, summed per day (fct_duplicates_daily, from one row per
    hit) and per window (fct_duplicates_windows, from the days): one list for both. -#}
{% macro sum_duplicate_counts() -%}
    {{ sum_counts([
        'leads',
        'duplicate_rejections',
        'suppression_checks',
        'suppression_hits',
        'deliveries',
        'buyer_duplicates',
    ]) }}
{%- endmacro %}
