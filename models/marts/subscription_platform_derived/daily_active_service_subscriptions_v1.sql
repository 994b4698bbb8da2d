{#-
    Incremental by run_day('subplat_date') (the day D to process): rewrites the rows of D's
    day only. No day, or --full-refresh: every day up to D's, set-based. Config:
    daily_incremental_config (a pre-hook deletes the processed period first, so a period whose
    new result is empty is emptied too; BigQuery clusters by id, which starts with the
    provider and the subscription, so provider and subscription filters prune).
-#}
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
