{% macro array_union_sorted(left_array, right_array) -%}
    {{ return(adapter.dispatch('array_union_sorted', 'fxa_metrics')(left_array, right_array)) }}
{%- endmacro %}

{# sorted distinct union of two arrays; a NULL array counts as empty #}
{% macro default__array_union_sorted(left_array, right_array) -%}
    list_sort(list_distinct(list_concat(coalesce({{ left_array }}, []),
        coalesce({{ right_array }}, []))))
{%- endmacro %}

{% macro bigquery__array_union_sorted(left_array, right_array) -%}
    array(
        select distinct element
        from unnest(array_concat(coalesce({{ left_array }}, []), coalesce({{ right_array }}, [])))
            as element
        order by element
    )
{%- endmacro %}
