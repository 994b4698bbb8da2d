{# true when an FxA rollup processes a single day: incremental run and var submission_date set #}
{% macro fxa_is_day_mode() -%}
    {{ return(is_incremental() and var('submission_date', none) is not none) }}
{%- endmacro %}
