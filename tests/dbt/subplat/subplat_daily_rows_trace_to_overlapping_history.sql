{{ config(tags=['subplat', 'reconciliation']) }}
{#-
    Reconciliation (issue 3): every row of daily_active_logical_subscriptions_v1 and of its
    recent_ twin names an existing logical_subscriptions_history_v1 record of the same logical
    subscription (and item) whose interval overlaps the row's day and which is active or starts
    that day (the spec's joining rule). A failing row carries the table, key and rule broken.
-#}
-- noqa: disable=RF03
with

daily_rows as (
    select
        'daily_active_logical_subscriptions_v1' as table_name,
        id,
        date,
        logical_subscriptions_history_id,
        subscription.id as subscription_id,
        coalesce(subscription.provider_subscription_item_id, '') as item_id
    from {{ ref('daily_active_logical_subscriptions_v1') }}
    union all
    select
        'recent_daily_active_logical_subscriptions_v1' as table_name,
        id,
        date,
        logical_subscriptions_history_id,
        subscription.id as subscription_id,
        coalesce(subscription.provider_subscription_item_id, '') as item_id
    from {{ ref('recent_daily_active_logical_subscriptions_v1') }}
),

history as (
    select
        id,
        valid_from,
        valid_to,
        subscription.id as subscription_id,
        coalesce(subscription.provider_subscription_item_id, '') as item_id,
        coalesce(subscription.is_active, false) as is_active
    from {{ ref('logical_subscriptions_history_v1') }}
),

joined as (
    select
        daily_rows.table_name,
        daily_rows.id,
        daily_rows.date,
        daily_rows.logical_subscriptions_history_id,
        history.id as history_id,
        history.valid_from,
        history.valid_to,
        history.is_active as history_is_active,
        cast(daily_rows.date as {{ dbt.type_timestamp() }}) as day_start_at,
        cast(
            {{ dbt.dateadd('day', 1, 'daily_rows.date') }} as {{ dbt.type_timestamp() }}
        ) as day_end_at
    from daily_rows
    left join history
        on
            daily_rows.logical_subscriptions_history_id = history.id
            and daily_rows.subscription_id = history.subscription_id
            and daily_rows.item_id = history.item_id
),

failures as (
    select
        table_name,
        id,
        date,
        logical_subscriptions_history_id,
        case
            when history_id is null
                then 'logical_subscriptions_history_id not in logical_subscriptions_history_v1'
            when not (valid_from < day_end_at and valid_to > day_start_at)
                then 'history interval does not overlap the day'
            else 'history record neither active nor starting on the day'
        end as failed_rule
    from joined
    where
        history_id is null
        or not (valid_from < day_end_at and valid_to > day_start_at)
        or not (coalesce(history_is_active, false) or valid_from >= day_start_at)
)

select * from failures
