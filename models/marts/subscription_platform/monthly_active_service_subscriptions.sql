with

service_monthly_active_subscriptions_revenue as (
    select * from {{ ref('int_service_monthly_active_subscriptions_revenue') }}
),

final as (
    select
        id,
        month_start_date,
        month_end_date,
        service_id,
        service_subscriptions_history_id,
        {{ logical_subscription_with_revenue_struct(
            service_subscription_fields()
        ) }} as subscription,
        was_active_at_month_start,
        was_active_at_month_end
    from service_monthly_active_subscriptions_revenue
)

select * from final
