{# user-facing view of fxa_users_first_seen_v1 #}
with

fxa_users_first_seen_v1 as (
    select * from {{ ref('fxa_users_first_seen_v1') }}
)

select * from fxa_users_first_seen_v1
