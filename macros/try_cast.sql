{% macro try_cast(expression, data_type) -%}
    {{ return(adapter.dispatch('try_cast', 'fxa_metrics')(expression, data_type)) }}
{%- endmacro %}

{# NULL instead of an error when the value does not convert (e.g. a metadata amount "abc") #}
{% macro default__try_cast(expression, data_type) -%}
    try_cast({{ expression }} as {{ data_type }})
{%- endmacro %}

{% macro bigquery__try_cast(expression, data_type) -%}
    safe_cast({{ expression }} as {{ data_type }})
{%- endmacro %}
