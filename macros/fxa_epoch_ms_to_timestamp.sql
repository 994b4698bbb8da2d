{% macro fxa_epoch_ms_to_timestamp(expression) -%}
    {{ return(adapter.dispatch('fxa_epoch_ms_to_timestamp', 'fxa_metrics')(expression)) }}
{%- endmacro %}

{# epoch milliseconds (number or numeric string) -> TIMESTAMP; NULL when it does not parse #}
{% macro default__fxa_epoch_ms_to_timestamp(expression) -%}
    epoch_ms(try_cast(try_cast(cast({{ expression }} as varchar) as double) as bigint))
{%- endmacro %}

{% macro bigquery__fxa_epoch_ms_to_timestamp(expression) -%}
    timestamp_millis(safe_cast(safe_cast(cast({{ expression }} as string) as float64) as int64))
{%- endmacro %}
