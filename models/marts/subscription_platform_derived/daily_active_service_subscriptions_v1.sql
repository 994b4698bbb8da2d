{#- daily_active_service_subscriptions_v1: one row per service subscription and day; processed
    exactly like daily_active_logical_subscriptions_v1 (see its header), over the service history -#}
{%- set subplat_date = run_day('subplat_date') -%}
{{ config(**daily_incremental_config(
    day_column='date', cluster_by=['id'], subplat_grain='day'
)) }}

{%- set last_period_start = subplat_period_start(subplat_processing_date(), 'day') -%}
{{ active_logical_subscriptions(
    ref('service_subscriptions_history_v1'),
    'day',
    last_period_start if (is_incremental() and subplat_date) else none,
    last_period_start,
    history_id_column='service_subscriptions_history_id',
    service_id_column=true,
) }}
