{% macro date_series(bounds_relation, start_column, end_column, datepart='day') -%}
    {{ return(adapter.dispatch('date_series', 'fxa_metrics')(
        bounds_relation, start_column, end_column, datepart
    )) }}
{%- endmacro %}

{# one row per day (or month start) from start to end inclusive, column `period_start_date` #}
{% macro default__date_series(bounds_relation, start_column, end_column, datepart) -%}
    select cast(series.period_start_at as date) as period_start_date
    from {{ bounds_relation }}
    cross join unnest(
        generate_series(
            cast({{ bounds_relation }}.{{ start_column }} as date),
            cast({{ bounds_relation }}.{{ end_column }} as date),
            interval 1 {{ datepart }}
        )
    ) as series (period_start_at)
{%- endmacro %}

{% macro bigquery__date_series(bounds_relation, start_column, end_column, datepart) -%}
    select period_start_date
    from {{ bounds_relation }}
    cross join unnest(
        generate_date_array(
            {{ bounds_relation }}.{{ start_column }},
            {{ bounds_relation }}.{{ end_column }},
            interval 1 {{ datepart }}
        )
    ) as period_start_date
{%- endmacro %}
