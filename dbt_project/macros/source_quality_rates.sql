{#- Profit and the source-quality rates, from the counts and money of fct_source_quality_daily
    (per day there, summed over all history in fct_source_scorecard): one definition for both. -#}
{% macro source_quality_rates() -%}
        cast(revenue - purchase_cost - recipient_cost as decimal(18, 4)) as profit,
        {{ safe_divide('accepted', 'leads') }} as acceptance_rate,
        {{ safe_divide('valid_phone', 'with_phone') }} as valid_phone_rate,
        {{ safe_divide('valid_email', 'with_email') }} as valid_email_rate,
        {{ safe_divide('returned', 'sold_leads') }} as return_rate,
        {{ safe_divide('purchase_cost', 'accepted') }} as cost_per_accepted_lead,
        {{ safe_divide(
            'revenue - purchase_cost - recipient_cost', 'purchase_cost + recipient_cost'
        ) }} as roi
{%- endmacro %}
