{% macro cross_join_unnest(array_expression, element_alias) -%}
    {{ return(adapter.dispatch('cross_join_unnest', 'fxa_metrics')(
        array_expression, element_alias
    )) }}
{%- endmacro %}

{#- a cross join clause giving one row per array element; refer to the element with
    unnest_element(element_alias), which is qualified on DuckDB (so column lineage can follow it) -#}
{% macro default__cross_join_unnest(array_expression, element_alias) -%}
    cross join unnest({{ array_expression }}) as {{ element_alias }}_elements ({{ element_alias }})
{%- endmacro %}

{% macro bigquery__cross_join_unnest(array_expression, element_alias) -%}
    cross join unnest({{ array_expression }}) as {{ element_alias }}
{%- endmacro %}

{% macro unnest_element(element_alias) -%}
    {{ return(adapter.dispatch('unnest_element', 'fxa_metrics')(element_alias)) }}
{%- endmacro %}

{# the SQL reference to the element of a cross_join_unnest clause #}
{% macro default__unnest_element(element_alias) -%}
    {{ element_alias }}_elements.{{ element_alias }}
{%- endmacro %}

{% macro bigquery__unnest_element(element_alias) -%}
    {{ element_alias }}
{%- endmacro %}
