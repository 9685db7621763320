{#- A ratio that is null, not an error, when the denominator is zero. -#}
{% macro safe_divide(numerator, denominator) -%}
    (cast({{ numerator }} as double) / nullif({{ denominator }}, 0))
{%- endmacro %}

{#- A double rounded to `digits` decimals, halves away from zero, the same on every engine: the
    value is first fixed to 6 decimals, so two sums of the same numbers in another order (last-bit
    differences: 1223.8499999999999 and 1223.85) round alike. -#}
{% macro round_half_up(expression, digits) -%}
    cast(round(cast({{ expression }} as decimal(38, 6)), {{ digits }}) as double)
{%- endmacro %}
