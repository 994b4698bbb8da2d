{% macro subplat_run_date() -%}
    {#- the run date of a SubPlat build as a SQL date: subplat_date + subplat_delay_days when
        subplat_date is set (so reruns and backfills are reproducible), else today (UTC) -#}
    {%- if run_day('subplat_date') -%}
        cast({{ dbt.dateadd(
            'day', var('subplat_delay_days') | int, "cast('" ~ run_day('subplat_date') ~ "' as date)"
        ) }} as date)
    {%- else -%}
        cast({{ dbt.current_timestamp() }} as date)
    {%- endif -%}
{%- endmacro %}
