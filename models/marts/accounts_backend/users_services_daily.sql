with

users_services_daily as (
    select * from {{ ref('users_services_daily_v1') }}
)

select * from users_services_daily
