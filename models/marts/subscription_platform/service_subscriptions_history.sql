with

service_subscriptions_history_v1 as (
    select * from {{ ref('service_subscriptions_history_v1') }}
)

select * from service_subscriptions_history_v1
