{#
    Config of a daily FxA incremental model, per adapter (spec 3): DuckDB delete+insert on
    `unique_key` (the day column, so the whole day is replaced), BigQuery insert_overwrite of the
    day partition. `bigquery_strategy='merge'` for tables whose old rows change (first_seen v1).
#}
{% macro fxa_incremental_config(unique_key='submission_date', partition_column='submission_date',
        bigquery_strategy='insert_overwrite', cluster_by=none) -%}
    {%- set settings = {
        'materialized': 'incremental',
        'on_schema_change': 'append_new_columns',
        'unique_key': unique_key,
    } -%}
{%- if target.type == 'bigquery' -%}
        {%- do settings.update({
            'incremental_strategy': bigquery_strategy,
            'partition_by': {'field': partition_column, 'data_type': 'date', 'granularity': 'day'},
            'require_partition_filter': false,
        }) -%}
{%- if cluster_by is not none -%}
            {%- do settings.update({'cluster_by': cluster_by}) -%}
        {%- endif -%}
    {%- else -%}
{%- do settings.update({'incremental_strategy': 'delete+insert'}) -%}
{%- endif -%}
{{ return(settings) }}
{%- endmacro %}
