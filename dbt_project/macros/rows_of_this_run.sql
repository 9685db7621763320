{#- Data tests scoped to the rows this run wrote. The tests of the stamped facts declare
    `config: {where: __rows_of_this_run__}` in their YAML. In a `dbt build` over a partition
    window the placeholder becomes `built_at = <this run>`: the rows of earlier runs were tested
    when they were written, and a run changes no row it does not rewrite (delete+insert on the
    unique key), so a key can only repeat within the rows of one run. A build without a window
    (the vars' defaults), `dbt test` and the first build (all of whose rows are of this run)
    check every row.

    dbt renders a test's `where` when it parses the YAML, where custom macros are not available,
    so the placeholder is replaced here, when the test runs: dbt's own get_where_subquery with
    that one substitution (dbt's documented way to template `where` with a macro). -#}
{% macro default__get_where_subquery(relation) -%}
    {%- set declared = config.get('where') or '' -%}
    {%- set where = declared | replace('__rows_of_this_run__', rows_of_this_run()) -%}
    {%- if where and where != 'true' -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ where ~ ') dbt_subquery') -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}

{#- The predicate the placeholder stands for: the rows stamped by this run in a windowed build,
    every row (`true`) otherwise. -#}
{% macro rows_of_this_run() -%}
    {%- if is_windowed_build() -%}
        {{- 'built_at = ' ~ this_run_at() -}}
    {%- else -%}
        {{- 'true' -}}
    {%- endif -%}
{%- endmacro %}

{#- A `dbt build` with a partition window: the open-ended defaults of the vars are
    orchestration/partitions.py's OPEN_START and OPEN_END. -#}
{% macro is_windowed_build() -%}
    {%- do return(
        flags.WHICH == 'build'
        and (window_bound('min_date') != '1970-01-01' or window_bound('max_date') != '9999-12-31')
    ) -%}
{%- endmacro %}
