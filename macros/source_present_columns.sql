{#- The lower-case column names of a source table in the warehouse, or none when the table does
    not exist. With the env var FXA_METRICS_SOURCE_COLUMNS=contract (set by the offline BigQuery
    compile, which has no warehouse) every declared column is taken as present. -#}
{% macro source_present_columns(contract) -%}
    {%- if env_var('FXA_METRICS_SOURCE_COLUMNS', 'warehouse') == 'contract' -%}
        {%- do return(contract.columns | map(attribute='name') | map('lower') | list) -%}
    {%- endif -%}
    {%- set relation = contract.relation -%}
    {%- set existing = adapter.get_relation(
        database=relation.database, schema=relation.schema, identifier=relation.identifier) -%}
    {%- if existing is none -%}
        {%- do return(none) -%}
    {%- endif -%}
    {%- do return(adapter.get_columns_in_relation(existing)
        | map(attribute='name') | map('lower') | list) -%}
{%- endmacro %}
