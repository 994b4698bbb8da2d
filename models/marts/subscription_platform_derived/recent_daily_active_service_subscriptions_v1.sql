{#-
    The days after the day D that daily_active_service_subscriptions_v1 processes, up to
    the run date (D + subplat_delay_days when subplat_date is set, else today): the still
    changing window (late Stripe data), rebuilt whole every run. The user-facing view reads
    daily_active_service_subscriptions_v1 before this window and this table inside it.
-#}
{{ active_logical_subscriptions(
    ref('service_subscriptions_history_v1'),
    'day',
    subplat_period_start(dbt.dateadd('day', 1, subplat_processing_date()), 'day'),
    subplat_period_start(subplat_run_date(), 'day'),
    history_id_column='service_subscriptions_history_id',
    service_id_column=true,
) }}
