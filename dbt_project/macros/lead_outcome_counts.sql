{#- The lead counts of an aggregate over `relation`'s leads: `leads`, then `accepted` and
    `rejected`, then `errored` when `errored` (lead_outcome 'error'). -#}
{% macro lead_outcome_counts(relation, errored=false) -%}
    count(*) as leads,
    count(*) filter (where {{ relation }}.lead_outcome = 'accepted') as accepted,
    count(*) filter (where {{ relation }}.lead_outcome = 'rejected') as rejected
    {%- if errored %},
    count(*) filter (where {{ relation }}.lead_outcome = 'error') as errored
    {%- endif %}
{%- endmacro %}
