{% macro array_agg_distinct_sorted(expression) -%}
    {{ return(adapter.dispatch('array_agg_distinct_sorted', 'fxa_metrics')(expression)) }}
{%- endmacro %}

{# aggregate: sorted array of the distinct non-NULL values (empty array when there are none) #}
{% macro default__array_agg_distinct_sorted(expression) -%}
    coalesce(
        list_sort(array_agg(distinct {{ expression }}) filter (where {{ expression }} is not null)),
        []
    )
{%- endmacro %}

{% macro bigquery__array_agg_distinct_sorted(expression) -%}
    array_agg(distinct {{ expression }} ignore nulls order by {{ expression }})
{%- endmacro %}
