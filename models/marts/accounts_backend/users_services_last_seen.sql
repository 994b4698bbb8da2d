with

users_services_last_seen as (
    select * from {{ ref('users_services_last_seen_v1') }}
),

with_days_since as (
    select
        *,
        {{ bits28_days_since('days_seen_bits') }} as days_since_seen,
        {{ bits28_days_since('days_seen_in_tier1_country_bits') }}
            as days_since_seen_in_tier1_country,
        {{ bits28_days_since('days_registered_bits') }} as days_since_registered
    from users_services_last_seen
)

select * from with_days_since
