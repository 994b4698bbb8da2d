{#-
    One row per logical subscription and day it was active (the daily_active_logical_subscriptions_v1
    table before its recent window, recent_daily_active_logical_subscriptions_v1 inside it,
    as docs/subscriptions.md section 5 says) with flat revenue columns
    (docs/subscriptions.md section 7). The user-facing view
    subscription_platform.daily_active_logical_subscriptions packs them into `subscription`.
-#}
{{ active_subscriptions_with_revenue('logical', 'day') }}
