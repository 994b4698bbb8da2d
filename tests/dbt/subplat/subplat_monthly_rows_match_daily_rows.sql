{{ config(tags=['subplat', 'reconciliation']) }}
{#-
    Reconciliation (issue 3, docs/subscriptions.md section 5): for every month the daily table
    covers whole, a logical subscription has a row in monthly_active_logical_subscriptions_v1 for
    month M exactly when it has a row in daily_active_logical_subscriptions_v1 on a day of M;
    was_active_at_month_start equals the first day's was_active_at_day_start, and
    was_active_at_month_end the last day's was_active_at_day_end (false without a row); when the
    last day has a row, it comes from the same history record as the month's row.
    A failing row carries the key and the rule broken.
-#}
-- noqa: disable=RF03
with

daily as (
    select
        subscription.id as subscription_id,
        date,
        {{ subplat_period_start('date', 'month') }} as month_start_date,
        logical_subscriptions_history_id,
        was_active_at_day_start,
        was_active_at_day_end
    from {{ ref('daily_active_logical_subscriptions_v1') }}
),

monthly as (
    select
        subscription.id as subscription_id,
        month_start_date,
        month_end_date,
        logical_subscriptions_history_id,
        was_active_at_month_start,
        was_active_at_month_end
    from {{ ref('monthly_active_logical_subscriptions_v1') }}
),

daily_bounds as (
    select
        min(date) as first_date,
        max(date) as last_date
    from daily
),

complete_months as (
    {# months whose every day the daily table covers (its first month may start later) #}
    select distinct monthly.month_start_date
    from monthly
    cross join daily_bounds
    where
        monthly.month_end_date <= daily_bounds.last_date
        and monthly.month_start_date
        >= {{ subplat_period_start('daily_bounds.first_date', 'month') }}
),

daily_months as (
    select
        daily.subscription_id,
        daily.month_start_date,
        max(
            case
                when daily.date = daily.month_start_date and daily.was_active_at_day_start
                    then 1
                else 0
            end
        ) as active_at_first_day_start,
        max(
            case
                when
                    daily.date = cast({{ dbt.dateadd(
                        'day', -1, dbt.dateadd('month', 1, 'daily.month_start_date')
                    ) }} as date)
                    and daily.was_active_at_day_end
                    then 1
                else 0
            end
        ) as active_at_last_day_end,
        max(
            case
                when
                    daily.date = cast({{ dbt.dateadd(
                        'day', -1, dbt.dateadd('month', 1, 'daily.month_start_date')
                    ) }} as date)
                    then daily.logical_subscriptions_history_id
            end
        ) as last_day_history_id
    from daily
    inner join complete_months
        on daily.month_start_date = complete_months.month_start_date
    group by daily.subscription_id, daily.month_start_date
),

monthly_in_complete_months as (
    select monthly.*
    from monthly
    inner join complete_months
        on monthly.month_start_date = complete_months.month_start_date
),

joined as (
    select
        coalesce(monthly.subscription_id, daily_months.subscription_id) as subscription_id,
        coalesce(monthly.month_start_date, daily_months.month_start_date) as month_start_date,
        monthly.subscription_id is not null as has_monthly_row,
        daily_months.subscription_id is not null as has_daily_rows,
        monthly.was_active_at_month_start,
        monthly.was_active_at_month_end,
        monthly.logical_subscriptions_history_id,
        daily_months.active_at_first_day_start = 1 as active_at_first_day_start,
        daily_months.active_at_last_day_end = 1 as active_at_last_day_end,
        daily_months.last_day_history_id
    from monthly_in_complete_months as monthly
    full outer join daily_months
        on
            monthly.subscription_id = daily_months.subscription_id
            and monthly.month_start_date = daily_months.month_start_date
),

failures as (
    select
        subscription_id,
        month_start_date,
        case
            when not has_monthly_row then 'daily rows in the month but no monthly row'
            when not has_daily_rows then 'monthly row but no daily row in the month'
            when was_active_at_month_start != active_at_first_day_start
                then 'was_active_at_month_start differs from the first day'
            when was_active_at_month_end != active_at_last_day_end
                then 'was_active_at_month_end differs from the last day'
            else 'month row and last day row come from different history records'
        end as failed_rule
    from joined
    where
        not has_monthly_row
        or not has_daily_rows
        or was_active_at_month_start != active_at_first_day_start
        or was_active_at_month_end != active_at_last_day_end
        or logical_subscriptions_history_id != last_day_history_id
)

select * from failures
