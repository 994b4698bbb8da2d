{#-
    One row per logical subscription and month it was active (the monthly_active_logical_subscriptions_v1
    table before its recent window, recent_monthly_active_logical_subscriptions_v1 inside it,
    as docs/subscriptions.md section 5 says) with flat revenue columns
    (docs/subscriptions.md section 7). The user-facing view
    subscription_platform.monthly_active_logical_subscriptions packs them into `subscription`.
-#}
with

monthly_active_logical_subscriptions_v1 as (
    select * from {{ ref('monthly_active_logical_subscriptions_v1') }}
),

recent_monthly_active_logical_subscriptions_v1 as (
    select * from {{ ref('recent_monthly_active_logical_subscriptions_v1') }}
),

vat_rates as (
    select * from {{ ref('vat_rates') }}
),

exchange_rates as (
    select * from {{ ref('exchange_rates') }}
),

monthly_subscriptions as (
    {# the table before the recent window, the recent twin inside it #}
    select * from monthly_active_logical_subscriptions_v1
    where
        month_start_date < (
            select coalesce(min(recent_rows.month_start_date), cast('9999-12-31' as date))
            from recent_monthly_active_logical_subscriptions_v1 as recent_rows
        )
    union all
    select * from recent_monthly_active_logical_subscriptions_v1
),

{{ logical_subscription_revenue(
    'monthly_subscriptions',
    'coalesce(cast(subscription.ended_at as date), least(month_end_date, '
    ~ 'cast(' ~ dbt.current_timestamp() ~ ' as date)))',
    dbt.dateadd(
        'microsecond', -1,
        'cast(' ~ dbt.dateadd('day', 1, 'month_end_date') ~ ' as ' ~ dbt.type_timestamp() ~ ')'
    ),
) }}
