{% macro struct_of(fields) -%}
    {{ return(adapter.dispatch('struct_of', 'fxa_metrics')(fields)) }}
{%- endmacro %}

{# fields: a list of (name, sql expression) pairs, kept in order #}
{% macro default__struct_of(fields) -%}
    struct_pack(
    {%- for name, expression in fields %}
        {{ name }} := {{ expression }}{{ "," if not loop.last }}
    {%- endfor %}
    )
{%- endmacro %}

{% macro bigquery__struct_of(fields) -%}
    struct(
    {%- for name, expression in fields %}
        {{ expression }} as {{ name }}{{ "," if not loop.last }}
    {%- endfor %}
    )
{%- endmacro %}
