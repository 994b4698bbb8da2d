{% macro subplat_period_start(date_expression, grain) -%}
    {#- the start date of the day or calendar month holding a SQL date -#}
    {%- if grain == 'month' -%}
        cast({{ dbt.date_trunc('month', date_expression) }} as date)
    {%- else -%}
        cast({{ date_expression }} as date)
    {%- endif -%}
{%- endmacro %}
