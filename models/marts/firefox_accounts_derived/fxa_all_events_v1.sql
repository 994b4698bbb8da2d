{{ config(**daily_incremental_config(
    cluster_by=['fxa_log', 'event_type'], erase_user_column='user_id', retention=true
)) }}
{# one row per admitted FxA log event; columns in Mozilla's order, then our trailing extras #}
with

log_lines as (
    select * from {{ ref('int_fxa_log_lines_classified') }}
),

admitted_events as (
    select
        fxa_log,
        log_timestamp as timestamp,
        receive_timestamp as receivetimestamp,
        event_time,
        logger,
        event_type,
        user_id,
        device_id,
        country,
        country_code,
        language,
        app_version,
        os_name,
        os_version,
        user_properties,
        event_properties,
        utm_term,
        utm_source,
        utm_medium,
        utm_campaign,
        utm_content,
        ua_version,
        ua_browser,
        entrypoint,
        entrypoint_experiment,
        entrypoint_variation,
        flow_id,
        sync_device_count,
        sync_active_devices_day,
        sync_active_devices_week,
        sync_active_devices_month,
        service,
        email_type,
        email_provider,
        oauth_client_id,
        connect_device_flow,
        connect_device_os,
        email_sender,
        email_service,
        email_template,
        email_version,
        subscription_id,
        plan_id,
        previous_plan_id,
        subscribed_plan_ids,
        product_id,
        previous_product_id,
        promotion_code,
        payment_provider,
        provider_event_id,
        checkout_type,
        source_country,
        country_code_source,
        error_id,
        voluntary_cancellation,
        insert_id as _insert_id,
        log_name as _log_name,
        submission_date
    from log_lines
    where
        exclusion_reason is null
        and {{ fxa_day_filter('submission_date') }}
)

select * from admitted_events
