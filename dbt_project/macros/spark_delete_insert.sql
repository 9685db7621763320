{#- delete+insert on Spark with plain Parquet tables (no DELETE, no MERGE without Delta/Iceberg).

    Every incremental model declares `delete+insert` on its unique_key (dbt_project.yml): the rows
    a run rebuilt replace the rows of the same keys. dbt-spark only offers append, insert_overwrite,
    merge (Delta, Iceberg, Hudi) and microbatch, so on Spark the strategy is written here as an
    insert_overwrite of the touched day partitions: the new rows, plus the rows of those partitions
    whose key was not rebuilt. The untouched partitions are not read or written (dynamic partition
    overwrite), so a run costs its days, not the table. A model without `partition_by` (the small
    dimensions) is rewritten whole through a staging table, as Spark cannot overwrite a table that
    the same statement reads unless it overwrites partitions.

    The partition column must not change for a key (an event's, a lead's or a delivery's day does
    not): a key that moved would leave its old row in the old partition. On a cluster with Delta or
    Iceberg tables, `merge` on the same unique_key does the same without that condition.

    These two macros replace dbt-spark's own (same names; the root project's macros take
    precedence), adding the strategy and leaving the others to dbt-spark's code. -#}

{% macro dbt_spark_validate_get_incremental_strategy(raw_strategy, file_format) -%}
    {%- if raw_strategy == 'delete+insert' -%}
        {%- do return(raw_strategy) -%}
    {%- endif -%}
    {%- do return(dbt.dbt_spark_validate_get_incremental_strategy(raw_strategy, file_format)) -%}
{%- endmacro %}

{% macro dbt_spark_get_incremental_sql(
    strategy, source, target, existing, unique_key, incremental_predicates
) -%}
    {%- if strategy == 'delete+insert' -%}
        {{ spark_delete_insert_sql(source, target, unique_key) }}
    {%- else -%}
        {{ dbt.dbt_spark_get_incremental_sql(
            strategy, source, target, existing, unique_key, incremental_predicates
        ) }}
    {%- endif -%}
{%- endmacro %}

{% macro spark_delete_insert_sql(source, target, unique_key) -%}
    {%- set keys = [unique_key] if unique_key is string else unique_key -%}
    {%- set partitions = config.get('partition_by') -%}
    {%- set partitions = [partitions] if partitions is string else (partitions or []) -%}
    {%- set columns = adapter.get_columns_in_relation(target) | map(attribute='quoted') | list -%}
    {%- set kept -%}
        select {% for column in columns %}kept.{{ column }}{{ ', ' if not loop.last }}{% endfor %}
        from {{ target }} as kept
        {%- if partitions %}
        left semi join (select distinct {{ partitions | join(', ') }} from {{ source }}) as touched
            on {% for column in partitions -%}
                kept.{{ column }} <=> touched.{{ column }}{{ ' and ' if not loop.last }}
            {%- endfor %}
        {%- endif %}
        left anti join {{ source }} as rebuilt
            on {% for key in keys -%}
                kept.{{ key }} = rebuilt.{{ key }}{{ ' and ' if not loop.last }}
            {%- endfor %}
    {%- endset -%}
    {%- set rows -%}
        select {{ columns | join(', ') }} from {{ source }}
        union all
        {{ kept }}
    {%- endset -%}
    {%- if partitions -%}
        {%- if execute -%}
            {%- do run_query('set spark.sql.sources.partitionOverwriteMode = DYNAMIC') -%}
        {%- endif -%}
        insert overwrite table {{ target }} partition ({{ partitions | join(', ') }})
        {{ rows }}
    {%- else -%}
        {#- the new table (the model's rows, which may read the table, and the kept rows) is
            written aside first, the table overwritten from there, and the staging table dropped
            as the model's last statement -#}
        {%- set staged_name = target.identifier ~ '__dbt_staged' -%}
        {%- set staged = target.incorporate(path={'identifier': staged_name}) -%}
        {%- if execute -%}
            {%- do run_query('drop table if exists ' ~ staged) -%}
            {%- do run_query('create table ' ~ staged ~ ' using parquet as ' ~ rows) -%}
            {%- do run_query('insert overwrite table ' ~ target ~ ' select * from ' ~ staged) -%}
        {%- endif -%}
        drop table if exists {{ staged }}
    {%- endif -%}
{%- endmacro %}

{#- A model's `partition_by` on Spark (its day column, which the strategy above overwrites
    partition by partition); DuckDB tables are not partitioned. -#}
{% macro day_partition(column) -%}
    {%- do return(column if target.type == 'spark' else none) -%}
{%- endmacro %}
