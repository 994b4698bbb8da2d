with

logical_subscription_events_v1 as (
    select * from {{ ref('logical_subscription_events_v1') }}
)

select * from logical_subscription_events_v1
