with

classified_events as (
    select * from {{ ref('int_glean_events_classified') }}
),

admitted as (
    select
        app,
        event_id,
        document_id,
        document_event_number,
        submission_timestamp,
        submission_date,
        event_timestamp,
        effective_event_timestamp,
        client_id,
        sample_id,
        app_channel,
        app_display_version,
        os,
        os_version,
        locale,
        country_code,
        user_agent_browser,
        user_agent_os,
        user_agent_version,
        user_id_sha256,
        relying_party_oauth_client_id,
        relying_party_service,
        session_flow_id,
        session_entrypoint,
        utm_campaign,
        utm_content,
        utm_medium,
        utm_source,
        utm_term,
        event_category,
        event_name,
        event,
        event_extra,
        has_invalid_event_extra,
        is_bot_generated
    from classified_events
    where exclusion_reason is null
)

select * from admitted
