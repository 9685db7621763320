{#- Generic test: every row satisfies `expression` (portable SQL over the model's columns); the
    rows that do not are the failures. -#}
{% test expression_is_true_per_row(model, expression) %}
select *
from {{ model }}
where not ({{ expression }})
{% endtest %}
