{% macro subplat_processing_date() -%}
    {#- the day the SubPlat daily/monthly tables process (var subplat_date), as a SQL date;
        unset: the run date minus subplat_delay_days, the day a scheduled run would process -#}
    {%- if run_day('subplat_date') -%}
        cast('{{ run_day("subplat_date") }}' as date)
    {%- else -%}
        cast({{ dbt.dateadd('day', -1 * var('subplat_delay_days') | int, dbt.current_timestamp()) }} as date)
    {%- endif -%}
{%- endmacro %}
