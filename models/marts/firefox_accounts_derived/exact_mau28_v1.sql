{{ config(**daily_incremental_config()) }}
{#
    MAU/WAU/DAU per day, id bucket and (latest) country from fxa_users_last_seen_v1. Rows only from
    the 28th day of data on (first date + 27), when the 28-day window is complete.
#}
with

users_last_seen as (
    select * from {{ ref('fxa_users_last_seen_v1') }}
),

users_daily as (
    select * from {{ ref('fxa_users_daily_v1') }}
),

data_start as (
    select min(submission_date) as first_submission_date
    from users_daily
),

last_seen_of_day as (
    select
        users_last_seen.submission_date,
        users_last_seen.user_id,
        users_last_seen.country,
        {{ bits28_days_since('users_last_seen.days_seen_bits') }} as days_since_seen,
        {{ bits28_days_since('users_last_seen.days_seen_in_tier1_country_bits') }}
            as days_since_seen_in_tier1_country
    from users_last_seen
    cross join data_start
    where
        {{ fxa_day_filter('users_last_seen.submission_date') }}
        and users_last_seen.submission_date
        >= cast({{ dbt.dateadd('day', 27, 'data_start.first_submission_date') }} as date)
),

mau as (
    select
        submission_date,
        count(*) as mau,
        count(case when days_since_seen < 7 then user_id end) as wau,
        count(case when days_since_seen = 0 then user_id end) as dau,
        count(case when days_since_seen_in_tier1_country < 28 then user_id end)
            as mau_tier1_inclusive,
        {{ fxa_id_bucket('user_id') }} as id_bucket,
        country
    from last_seen_of_day
    group by submission_date, {{ fxa_id_bucket('user_id') }}, country
)

select * from mau
