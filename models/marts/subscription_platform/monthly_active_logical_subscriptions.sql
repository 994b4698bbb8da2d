with

logical_monthly_active_subscriptions_revenue as (
    select * from {{ ref('int_logical_monthly_active_subscriptions_revenue') }}
),

final as (
    select
        id,
        month_start_date,
        month_end_date,
        logical_subscriptions_history_id,
        {{ logical_subscription_with_revenue_struct() }} as subscription,
        was_active_at_month_start,
        was_active_at_month_end
    from logical_monthly_active_subscriptions_revenue
)

select * from final
