{# v1-compatible columns over the v2 table; country mapped to its ISO code, name kept #}
with

fxa_users_services_daily_v2 as (
    select * from {{ ref('fxa_users_services_daily_v2') }}
),

country_names as (
    select * from {{ ref('country_names') }}
),

v1_compatible as (
    select
        fxa_users_services_daily_v2.submission_date,
        fxa_users_services_daily_v2.user_id,
        fxa_users_services_daily_v2.service,
        country_names.code as country,
        fxa_users_services_daily_v2.country as country_name,
        fxa_users_services_daily_v2.language,
        fxa_users_services_daily_v2.app_version,
        fxa_users_services_daily_v2.os_name,
        fxa_users_services_daily_v2.os_version,
        fxa_users_services_daily_v2.seen_in_tier1_country,
        fxa_users_services_daily_v2.registered
    from fxa_users_services_daily_v2
    left join country_names
        on fxa_users_services_daily_v2.country = country_names.name
)

select * from v1_compatible
