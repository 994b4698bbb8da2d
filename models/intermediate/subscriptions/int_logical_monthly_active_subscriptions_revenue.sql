{#-
    One row per logical subscription and month it was active (the monthly_active_logical_subscriptions_v1
    table before its recent window, recent_monthly_active_logical_subscriptions_v1 inside it,
    as docs/subscriptions.md section 5 says) with flat revenue columns
    (docs/subscriptions.md section 7). The user-facing view
    subscription_platform.monthly_active_logical_subscriptions packs them into `subscription`.
-#}
{{ active_subscriptions_with_revenue('logical', 'month') }}
