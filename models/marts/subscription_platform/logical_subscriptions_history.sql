with

logical_subscriptions_history_v1 as (
    select * from {{ ref('logical_subscriptions_history_v1') }}
)

select * from logical_subscriptions_history_v1
