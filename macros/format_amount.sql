{% macro format_amount(expression) -%}
    {{ return(adapter.dispatch('format_amount', 'fxa_metrics')(expression)) }}
{%- endmacro %}

{# a money amount as text with exactly two decimals ('99.90'), as in plan_summary #}
{% macro default__format_amount(expression) -%}
    printf('%.2f', {{ expression }})
{%- endmacro %}

{% macro bigquery__format_amount(expression) -%}
    format('%.2f', cast({{ expression }} as float64))
{%- endmacro %}
