{# fxa_users_last_seen_v1 plus days_since_* (index of the lowest set bit, NULL if none) #}
with

fxa_users_last_seen_v1 as (
    select * from {{ ref('fxa_users_last_seen_v1') }}
),

with_days_since as (
    select
        *,
        {{ bits28_days_since('days_seen_bits') }} as days_since_seen,
        {{ bits28_days_since('days_seen_in_tier1_country_bits') }}
            as days_since_seen_in_tier1_country,
        {{ bits28_days_since('days_registered_bits') }} as days_since_registered,
        {{ bits28_days_since('days_seen_no_monitor_bits') }} as days_since_seen_no_monitor
    from fxa_users_last_seen_v1
)

select * from with_days_since
