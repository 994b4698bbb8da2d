{% macro fxa_raw_column(path) -%}
    {{ return(adapter.dispatch('fxa_raw_column', 'fxa_metrics')(path)) }}
{%- endmacro %}

{# a nested Cloud Logging path (jsonPayload.fields.user_id): flattened a__b__c in CSV/DuckDB #}
{% macro default__fxa_raw_column(path) -%}
    {{ path | replace('.', '__') }}
{%- endmacro %}

{% macro bigquery__fxa_raw_column(path) -%}
    {{ path }}
{%- endmacro %}
