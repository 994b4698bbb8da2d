{# true when an FxA rollup processes a single day: incremental run and var submission_date set #}
{% macro fxa_is_day_mode() -%}
    {{ return(is_incremental() and run_day('submission_date') is not none) }}
{%- endmacro %}
