with

logical_daily_active_subscriptions_revenue as (
    select * from {{ ref('int_logical_daily_active_subscriptions_revenue') }}
),

final as (
    select
        id,
        date,
        logical_subscriptions_history_id,
        {{ logical_subscription_with_revenue_struct() }} as subscription,
        was_active_at_day_start,
        was_active_at_day_end
    from logical_daily_active_subscriptions_revenue
)

select * from final
