{#- On Spark, the raw and typed sources are tables over Parquet folders (one per table, with a
    folder per day inside for the raw events and submissions) under
    $LEADWH_SPARK_LANDING/<schema>/<table> (default $LEADWH_HOME/lake), or for a source landing
    keeps in the warehouse's lake (meta landing_lake) under $LEADWH_WAREHOUSE_LAKE/<schema>/<table>
    (default $LEADWH_HOME/warehouse.lake); on DuckDB they are the warehouse's own tables and
    views, so this does nothing. Run on start (on-run-start); renders no SQL. -#}
{% macro register_parquet_sources() -%}
    {{ return(adapter.dispatch('register_parquet_sources', 'leadwarehouse')()) }}
{%- endmacro %}

{% macro default__register_parquet_sources() -%}
{%- endmacro %}

{% macro spark__register_parquet_sources() -%}
    {%- if execute -%}
        {%- set lake = env_var('LEADWH_HOME', '../data') ~ '/lake' -%}
        {%- set exported = env_var('LEADWH_SPARK_LANDING', lake) -%}
        {%- set landed = env_var('LEADWH_WAREHOUSE_LAKE',
                                 env_var('LEADWH_HOME', '../data') ~ '/warehouse.lake') -%}
        {%- for source in graph.sources.values() if source.package_name == 'leadwarehouse' -%}
            {%- set root = landed if source.meta.get('landing_lake') else exported -%}
            {%- do run_query('create database if not exists ' ~ source.schema) -%}
            {#- dropped and created again, so a column added since (a new custom field) is seen;
                the table is external: dropping it leaves its Parquet files -#}
            {%- do run_query('drop table if exists ' ~ source.schema ~ '.' ~ source.identifier) -%}
            {%- do run_query(
                'create table ' ~ source.schema ~ '.' ~ source.identifier
                ~ " using parquet location '"
                ~ root ~ '/' ~ source.schema ~ '/' ~ source.identifier ~ "'"
            ) -%}
            {#- a table kept by day (meta lake_day_column) has a folder per day: Spark takes the
                day column from the folders' names, and finds the days only when asked -#}
            {%- if source.meta.get('lake_day_column') -%}
                {%- do run_query('msck repair table ' ~ source.schema ~ '.' ~ source.identifier) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
