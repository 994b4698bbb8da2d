{% macro generate_schema_name(custom_schema_name, node) -%}
    {#- Schemas are Mozilla's dataset names, used verbatim (no target-schema prefix),
        so an analyst's query against subscription_platform_derived.* runs unchanged. -#}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
