{#- The data tests of the big incremental marts (the var `tests_on_rows_of_this_run`) check only
    the rows this run wrote (`built_at`) when a `dbt build` runs over a partition window. The rows
    of earlier runs were tested when they were written, and a run changes no row it does not
    rewrite (delete+insert on the unique key), so a key can only repeat within the rows of one
    run. A build without a window (the vars' defaults) and `dbt test` check every row, and so
    does the first build, whose rows are all of this run. This overrides dbt's own macro, which
    applies the `where` config of a test to the relation it tests (the `to` side of a
    relationships test stays whole). -#}
{% macro default__get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- if relation.identifier in var('tests_on_rows_of_this_run', []) and is_windowed_build() -%}
        {%- set this_run = 'built_at = ' ~ this_run_at() -%}
        {%- set where = '(' ~ where ~ ') and ' ~ this_run if where else this_run -%}
    {%- endif -%}
    {%- if where -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ where ~ ') dbt_subquery') -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}

{#- A `dbt build` with a partition window: the open-ended defaults of the vars are
    orchestration/partitions.py's OPEN_START and OPEN_END. -#}
{% macro is_windowed_build() -%}
    {%- do return(
        flags.WHICH == 'build'
        and (var('min_date') != '1970-01-01' or var('max_date') != '9999-12-31')
    ) -%}
{%- endmacro %}
