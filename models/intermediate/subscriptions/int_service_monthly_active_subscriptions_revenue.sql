{#-
    One row per service subscription and month it was active (the monthly_active_service_subscriptions_v1
    table before its recent window, recent_monthly_active_service_subscriptions_v1 inside it,
    as docs/subscriptions.md section 5 says) with flat revenue columns
    (docs/subscriptions.md section 7). The user-facing view
    subscription_platform.monthly_active_service_subscriptions packs them into `subscription`.
-#}
{{ active_subscriptions_with_revenue('service', 'month') }}
