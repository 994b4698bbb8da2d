{% macro cross_join_unnest(array_expression, element_alias) -%}
    {{ return(adapter.dispatch('cross_join_unnest', 'fxa_metrics')(
        array_expression, element_alias
    )) }}
{%- endmacro %}

{# a cross join clause giving one row per array element, the element named element_alias #}
{% macro default__cross_join_unnest(array_expression, element_alias) -%}
    cross join unnest({{ array_expression }}) as {{ element_alias }}_elements ({{ element_alias }})
{%- endmacro %}

{% macro bigquery__cross_join_unnest(array_expression, element_alias) -%}
    cross join unnest({{ array_expression }}) as {{ element_alias }}
{%- endmacro %}
