{#- monthly_active_service_subscriptions_v1: one row per service subscription and month; processed
    exactly like monthly_active_logical_subscriptions_v1 (see its header), over the service history -#}
{%- set subplat_date = run_day('subplat_date') -%}
{{ config(**daily_incremental_config(
    day_column='month_start_date', cluster_by=['id'], subplat_grain='month'
)) }}

{%- set last_period_start = subplat_period_start(subplat_processing_date(), 'month') -%}
{{ active_logical_subscriptions(
    ref('service_subscriptions_history_v1'),
    'month',
    last_period_start if (is_incremental() and subplat_date) else none,
    last_period_start,
    history_id_column='service_subscriptions_history_id',
    service_id_column=true,
) }}
