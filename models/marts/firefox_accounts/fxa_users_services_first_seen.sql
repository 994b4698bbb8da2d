{# user-facing view of fxa_users_services_first_seen_v2; first_service_flow renamed _id #}
with

fxa_users_services_first_seen_v2 as (
    select * from {{ ref('fxa_users_services_first_seen_v2') }}
),

renamed as (
    select
        submission_date,
        user_id,
        service,
        did_register,
        first_service_os_name,
        first_service_os_version,
        first_service_app_version,
        first_service_country,
        first_service_language,
        first_service_ua_version,
        first_service_ua_browser,
        first_service_flow as first_service_flow_id,
        first_service_flow_timestamp,
        first_service_flow_entrypoint,
        first_service_flow_utm_term,
        first_service_flow_utm_medium,
        first_service_flow_utm_source,
        first_service_flow_utm_campaign,
        first_service_flow_utm_content
    from fxa_users_services_first_seen_v2
)

select * from renamed
