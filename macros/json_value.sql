{% macro json_value(json_column, key) -%}
    {{ return(adapter.dispatch('json_value', 'fxa_metrics')(json_column, key)) }}
{%- endmacro %}

{% macro default__json_value(json_column, key) -%}
    case
        when json_valid({{ json_column }})
            then json_extract_string({{ json_column }}, '$."{{ key }}"')
    end
{%- endmacro %}

{% macro bigquery__json_value(json_column, key) -%}
    json_value(safe.parse_json({{ json_column }}), '$."{{ key }}"')
{%- endmacro %}
