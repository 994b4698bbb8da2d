{#-
    Incremental by var subplat_date (the day D to process): rewrites the rows of D's
    day only. Unset, or with --full-refresh: every day up to D's, set-based.
    DuckDB: delete+insert keyed on date plus a pre-hook deleting the processed period (so a
    period whose new result is empty is emptied too). BigQuery: insert_overwrite of the static
    partition of D's period, partitioned by date, clustered by id (which starts with the
    provider and the subscription, so provider and subscription filters prune).
-#}
{%- set subplat_date = var('subplat_date') -%}
{%- if target.type == 'bigquery' -%}
{{ config(
    materialized='incremental',
    incremental_strategy='insert_overwrite',
    partition_by={'field': 'date', 'data_type': 'date'},
    partitions=(
        ["date('" ~ subplat_date ~ "')"]
        if subplat_date else none
    ),
    cluster_by=['id'],
    on_schema_change='fail',
) }}
{%- else -%}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='date',
    on_schema_change='fail',
    pre_hook="{{ subplat_delete_processed_periods('date', 'day') }}",
) }}
{%- endif -%}

{%- set last_period_start = subplat_period_start(subplat_processing_date(), 'day') -%}
{{ active_logical_subscriptions(
    ref('service_subscriptions_history_v1'),
    'day',
    last_period_start if (is_incremental() and subplat_date) else none,
    last_period_start,
    history_id_column='service_subscriptions_history_id',
    service_id_column=true,
) }}
