{% macro sha256_hex(expression) -%}
    {{ return(adapter.dispatch('sha256_hex', 'fxa_metrics')(expression)) }}
{%- endmacro %}

{% macro default__sha256_hex(expression) -%}
    sha256(cast({{ expression }} as varchar))
{%- endmacro %}

{% macro bigquery__sha256_hex(expression) -%}
    to_hex(sha256(cast({{ expression }} as string)))
{%- endmacro %}
