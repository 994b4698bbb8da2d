{# deprecated alias: content, auth and payments events with the payment columns #}
with

fxa_all_events as (
    select * from {{ ref('fxa_all_events_v1') }}
),

compat as (
    select
        fxa_log,
        timestamp,
        receivetimestamp,
        logger,
        event_type,
        user_id,
        country,
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
        submission_date
    from fxa_all_events
    where fxa_log in ('content', 'auth', 'stdout', 'payments')
)

select * from compat
