{% macro struct_array_field_key(array_expression, field) -%}
    {{ return(adapter.dispatch('struct_array_field_key', 'fxa_metrics')(array_expression, field)) }}
{%- endmacro %}

{# the sorted values of one field of an array of structs joined by ',' (comparable text) #}
{% macro default__struct_array_field_key(array_expression, field) -%}
    array_to_string(
        list_sort(list_transform({{ array_expression }}, lambda element: element.{{ field }})),
        ','
    )
{%- endmacro %}

{% macro bigquery__struct_array_field_key(array_expression, field) -%}
    array_to_string(
        array(
            select element.{{ field }}
            from unnest({{ array_expression }}) as element
            order by element.{{ field }}
        ),
        ','
    )
{%- endmacro %}
