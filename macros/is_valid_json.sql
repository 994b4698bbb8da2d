{% macro is_valid_json(json_column) -%}
    {{ return(adapter.dispatch('is_valid_json', 'fxa_metrics')(json_column)) }}
{%- endmacro %}

{% macro default__is_valid_json(json_column) -%}
    coalesce(json_valid({{ json_column }}), false)
{%- endmacro %}

{% macro bigquery__is_valid_json(json_column) -%}
    (safe.parse_json({{ json_column }}) is not null)
{%- endmacro %}
