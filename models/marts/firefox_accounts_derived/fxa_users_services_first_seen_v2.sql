{{ config(**daily_incremental_config(cluster_by=['service'], erase_user_column='user_id')) }}
{#
    one row per (user, service) ever, written on its first day (insert-only partition D, Q7):
    pairs of fxa_users_services_daily_v2 on D with no row before D, attributes copied from that
    day's row. Set-based: each pair's earliest services_daily row.
#}
{%- set day = run_day('submission_date') -%}
-- noqa: disable=RF03
-- (RF03 reads struct field access such as info.flow_id as a table qualifier)
with

services_daily as (
    select * from {{ ref('fxa_users_services_daily_v2') }}
    where {{ fxa_day_filter('submission_date') }}
),

{%- if fxa_is_day_mode() %}

    seen_before as (
        select
            user_id,
            service
        from {{ this }}
        where submission_date < cast('{{ day }}' as date)
    ),

    first_days as (
        select services_daily.*
        from services_daily
        left join seen_before
            on
                services_daily.user_id = seen_before.user_id
                and services_daily.service = seen_before.service
        where seen_before.user_id is null
    ),
{%- else %}

    ranked_days as (
        select
            *,
            row_number() over (partition by user_id, service order by submission_date) as day_rank
        from services_daily
    ),

    first_days as (
        select * from ranked_days
        where day_rank = 1
    ),
{%- endif %}

first_seen as (
    select
        submission_date,
        user_id,
        service,
        registered as did_register,
        os_name as first_service_os_name,
        os_version as first_service_os_version,
        app_version as first_service_app_version,
        country as first_service_country,
        language as first_service_language,
        ua_version as first_service_ua_version,
        ua_browser as first_service_ua_browser,
        user_service_first_daily_flow_info.flow_id as first_service_flow,
        user_service_first_daily_flow_info.timestamp as first_service_flow_timestamp,
        user_service_first_daily_flow_info.entrypoint as first_service_flow_entrypoint,
        user_service_utm_info.utm_term as first_service_flow_utm_term,
        user_service_utm_info.utm_medium as first_service_flow_utm_medium,
        user_service_utm_info.utm_source as first_service_flow_utm_source,
        user_service_utm_info.utm_campaign as first_service_flow_utm_campaign,
        user_service_utm_info.utm_content as first_service_flow_utm_content
    from first_days
)

select * from first_seen
