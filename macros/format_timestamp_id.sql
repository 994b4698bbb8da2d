{% macro format_timestamp_id(expression) -%}
    {{ return(adapter.dispatch('format_timestamp_id', 'fxa_metrics')(expression)) }}
{%- endmacro %}

{# YYYY-MM-DDTHH:MM:SS.ffffff, the form Mozilla's history ids use #}
{% macro default__format_timestamp_id(expression) -%}
    strftime({{ expression }}, '%Y-%m-%dT%H:%M:%S.%f')
{%- endmacro %}

{% macro bigquery__format_timestamp_id(expression) -%}
    format_timestamp('%Y-%m-%dT%H:%M:%E6S', {{ expression }})
{%- endmacro %}
