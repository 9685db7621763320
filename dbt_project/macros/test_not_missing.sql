{#- Generic test: no row carries the '(missing)' placeholder staging puts in place of an id the
    event did not have (models/staging/stg_leadconduit__events.sql). Use with severity warn: such
    events are kept, and a build goes on. -#}
{% test not_missing(model, column_name) %}
select {{ column_name }}
from {{ model }}
where {{ column_name }} = '(missing)'
{% endtest %}
