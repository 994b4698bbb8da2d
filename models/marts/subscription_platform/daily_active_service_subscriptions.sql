with

service_daily_active_subscriptions_revenue as (
    select * from {{ ref('int_service_daily_active_subscriptions_revenue') }}
),

final as (
    select
        id,
        date,
        service_id,
        service_subscriptions_history_id,
        {{ logical_subscription_with_revenue_struct(
            service_subscription_fields()
        ) }} as subscription,
        was_active_at_day_start,
        was_active_at_day_end
    from service_daily_active_subscriptions_revenue
)

select * from final
