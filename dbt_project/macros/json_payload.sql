{#- Engine-specific JSON access, used in staging only (the marts stay portable SQL).

    parse_json(text, spec): a JSON text parsed into a struct whose fields are named by `spec`, a
    dict of field name -> DuckDB type name (VARCHAR, DOUBLE, INTEGER, BOOLEAN, DECIMAL(18,4),
    JSON, VARCHAR[]) or a nested dict; a missing key or a value of the wrong type is null.
    DuckDB: json_transform with the spec as its JSON structure. Spark: from_json with the same
    spec as a DDL struct (JSON is kept as its JSON text, in a string). -#}
{% macro parse_json(text, spec) -%}
    {{ return(adapter.dispatch('parse_json', 'leadwarehouse')(text, spec)) }}
{%- endmacro %}

{% macro default__parse_json(text, spec) -%}
    json_transform({{ text }}, '{{ tojson(spec) }}')
{%- endmacro %}

{% macro spark__parse_json(text, spec) -%}
    from_json({{ text }}, '{{ spark_struct_of_json_spec(spec) }}')
{%- endmacro %}

{% macro spark_struct_of_json_spec(spec) -%}
    {%- set scalar = {
        'VARCHAR': 'string', 'JSON': 'string', 'DOUBLE': 'double', 'INTEGER': 'int',
        'BIGINT': 'bigint', 'BOOLEAN': 'boolean', 'VARCHAR[]': 'array<string>'
    } -%}
    {%- if spec is mapping -%}
        struct<
        {%- for name, value in spec.items() -%}
            `{{ name }}`:{{ spark_struct_of_json_spec(value) }}{{ ',' if not loop.last }}
        {%- endfor -%}
        >
    {%- else -%}
        {{ scalar.get(spec, spec | lower) }}
    {%- endif -%}
{%- endmacro %}

{#- The text at a JSONPath of a JSON text, the path given as a SQL string ("'$[0].status'");
    null when absent. -#}
{% macro json_path_text(json, path) -%}
    {{ return(adapter.dispatch('json_path_text', 'leadwarehouse')(json, path)) }}
{%- endmacro %}

{% macro default__json_path_text(json, path) -%}
    json_extract_string({{ json }}, {{ path }})
{%- endmacro %}

{% macro spark__json_path_text(json, path) -%}
    get_json_object({{ json }}, {{ path }})
{%- endmacro %}

{#- Whether a list (a VARCHAR[] field of parse_json) holds a value (a SQL expression: "'paste'");
    null when the list is. -#}
{% macro list_has(list, value) -%}
    {{ return(adapter.dispatch('list_has', 'leadwarehouse')(list, value)) }}
{%- endmacro %}

{% macro default__list_has(list, value) -%}
    list_contains({{ list }}, {{ value }})
{%- endmacro %}

{% macro spark__list_has(list, value) -%}
    array_contains({{ list }}, {{ value }})
{%- endmacro %}
