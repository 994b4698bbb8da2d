{#- the engine type for a contract's BigQuery type name -#}
{% macro contract_sql_type(data_type) -%}
    {%- set name = (data_type or '') | upper -%}
    {%- if name == 'STRING' -%}{{ return(dbt.type_string()) }}
    {%- elif name == 'INT64' -%}{{ return(dbt.type_bigint()) }}
    {%- elif name == 'TIMESTAMP' -%}{{ return(dbt.type_timestamp()) }}
    {%- elif name == 'BOOL' -%}{{ return(dbt.type_boolean()) }}
    {%- elif name == 'FLOAT64' -%}{{ return(dbt.type_float()) }}
    {%- elif name == 'NUMERIC' -%}{{ return(dbt.type_numeric()) }}
    {%- else -%}
        {{ exceptions.raise_compiler_error(
            "input contract: unsupported data_type '" ~ data_type ~ "'") }}
    {%- endif -%}
{%- endmacro %}
