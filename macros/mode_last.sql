{% macro mode_last(value, order_by) -%}
    {{ return(adapter.dispatch('mode_last', 'fxa_metrics')(value, order_by)) }}
{%- endmacro %}

{#
    Aggregate: most frequent non-NULL `value` of the group, ties to the value whose last
    occurrence (ordering by `order_by`) is latest; NULL when every value is NULL
    (Mozilla's stats.mode_last over ARRAY_AGG(value ORDER BY order_by)).
#}
{% macro default__mode_last(value, order_by) -%}
    {%- set values = "array_agg(" ~ value ~ " order by " ~ order_by ~ ") filter (where "
        ~ value ~ " is not null)" -%}
    list_sort(
        list_transform(
            list_distinct({{ values }}),
            lambda candidate: struct_pack(
                occurrences := len(list_filter({{ values }}, lambda item: item = candidate)),
                last_position := len({{ values }})
                    - list_position(list_reverse({{ values }}), candidate),
                candidate := candidate
            )
        ),
        'DESC'
    )[1].candidate
{%- endmacro %}

{% macro bigquery__mode_last(value, order_by) -%}
    (
        select candidate
        from unnest(array_agg({{ value }} ignore nulls order by {{ order_by }}))
            as candidate with offset as position
        group by candidate
        order by count(*) desc, max(position) desc
        limit 1
    )
{%- endmacro %}
