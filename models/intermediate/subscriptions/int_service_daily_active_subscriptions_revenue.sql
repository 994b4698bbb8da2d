{#-
    One row per service subscription and day it was active (the daily_active_service_subscriptions_v1
    table before its recent window, recent_daily_active_service_subscriptions_v1 inside it,
    as docs/subscriptions.md section 5 says) with flat revenue columns
    (docs/subscriptions.md section 7). The user-facing view
    subscription_platform.daily_active_service_subscriptions packs them into `subscription`.
-#}
with

daily_active_service_subscriptions_v1 as (
    select * from {{ ref('daily_active_service_subscriptions_v1') }}
),

recent_daily_active_service_subscriptions_v1 as (
    select * from {{ ref('recent_daily_active_service_subscriptions_v1') }}
),

vat_rates as (
    select * from {{ ref('vat_rates') }}
),

exchange_rates as (
    select * from {{ ref('exchange_rates') }}
),

daily_subscriptions as (
    {# the table before the recent window, the recent twin inside it #}
    select * from daily_active_service_subscriptions_v1
    where
        date < (
            select coalesce(min(recent_rows.date), cast('9999-12-31' as date))
            from recent_daily_active_service_subscriptions_v1 as recent_rows
        )
    union all
    select * from recent_daily_active_service_subscriptions_v1
),

{{ logical_subscription_revenue(
    'daily_subscriptions',
    'date',
    dbt.dateadd(
        'microsecond', -1,
        'cast(' ~ dbt.dateadd('day', 1, 'date') ~ ' as ' ~ dbt.type_timestamp() ~ ')'
    ),
) }}
