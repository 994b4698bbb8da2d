{% macro struct_array_without(array_expression, field, value_expression) -%}
    {{ return(adapter.dispatch('struct_array_without', 'fxa_metrics')(
        array_expression, field, value_expression
    )) }}
{%- endmacro %}

{# the elements of an array of structs whose field differs from a value, in their order #}
{% macro default__struct_array_without(array_expression, field, value_expression) -%}
    list_filter(
        {{ array_expression }},
        lambda element: element.{{ field }} != {{ value_expression }}
    )
{%- endmacro %}

{% macro bigquery__struct_array_without(array_expression, field, value_expression) -%}
    array(
        select element
        from unnest({{ array_expression }}) as element with offset as element_offset
        where element.{{ field }} != {{ value_expression }}
        order by element_offset
    )
{%- endmacro %}
