{#
    One row per landed log line of the environment's stdout and stderr tables (1:1 with the raw
    rows, duplicates included). Ids hashed at the door (H), PII columns never selected
    (docs/fxa_events.md 4.1, docs/fxa_events.md 4.3), JSON keys extracted, and each line classified:
    line_rejection_reason says why a line cannot be an event on its own (NULL = candidate event).
    Rules needing other tables (dedup, high-volume clients, opt-out, erasure) are applied in
    int_fxa_log_lines_classified.
#}
{%- set suffix = '' if var('fxa_log_environment', 'prod') == 'prod' else '_nonprod' -%}
{%- set loggers = ['fxa-auth-server', 'fxa-content-server', 'fxa-payments-server'] -%}
with

raw_fxa_log_stdout as (
    select * from {{ source('fxa_logs', 'raw_fxa_log_stdout' ~ suffix) }}
),

raw_fxa_log_stderr as (
    select * from {{ source('fxa_logs', 'raw_fxa_log_stderr' ~ suffix) }}
),

unioned as (
    {%- for stream in ['stdout', 'stderr'] %}
        select
            '{{ stream }}' as stream,
            *
        from raw_fxa_log_{{ stream }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

renamed as (
    select
        stream,
        {{ fxa_raw_column('logName') }} as log_name,
        {{ fxa_raw_column('insertId') }} as insert_id,
        cast({{ fxa_raw_column('timestamp') }} as {{ dbt.type_timestamp() }}) as log_timestamp,
        cast({{ fxa_raw_column('receiveTimestamp') }} as {{ dbt.type_timestamp() }})
            as receive_timestamp,
        cast({{ fxa_raw_column('_ingest_date') }} as date) as ingest_date,
        {{ fxa_raw_column('severity') }} as severity,
        {{ fxa_raw_column('labels.k8s_pod_deployment') }} as k8s_pod_deployment,
        {{ fxa_raw_column('textPayload') }} is not null as has_text_payload,
        {{ fxa_raw_column('jsonPayload.type') }} as record_type,
        {{ fxa_raw_column('jsonPayload.logger') }} as logger,
        {{ fxa_raw_column('jsonPayload.fields.event_type') }} as event_type,
        {{ fxa_raw_column('jsonPayload.fields.time') }} as event_time_raw,
        {{ sha256_hex(fxa_raw_column('jsonPayload.fields.user_id')) }} as user_id,
        {{ sha256_hex(fxa_raw_column('jsonPayload.fields.device_id')) }} as device_id,
        cast({{ fxa_raw_column('jsonPayload.fields.session_id') }} as {{ dbt.type_string() }})
            as session_id,
        {{ fxa_raw_column('jsonPayload.fields.app_version') }} as app_version,
        {{ fxa_raw_column('jsonPayload.fields.language') }} as language,
        {{ fxa_raw_column('jsonPayload.fields.country') }} as country,
        {{ fxa_raw_column('jsonPayload.fields.country_code') }} as fields_country_code,
        {{ fxa_raw_column('jsonPayload.fields.os_name') }} as os_name,
        {{ fxa_raw_column('jsonPayload.fields.os_version') }} as os_version,
        {{ fxa_raw_column('jsonPayload.fields.device_model') }} as device_model,
        {{ fxa_raw_column('jsonPayload.fields.event_properties') }} as event_properties,
        {{ fxa_raw_column('jsonPayload.fields.user_properties') }} as user_properties,
        {# deletion records carry the deleted uid in fields.uid (docs/fxa_events.md 1.1): hashed
        here #}
        case
            when
                {{ fxa_raw_column('jsonPayload.type') }} = 'DB.deleteAccount'
                or {{ fxa_raw_column('jsonPayload.type') }} like 'accountDeleted%'
                or (
                    {{ fxa_raw_column('jsonPayload.type') }} = 'activityEvent'
                    and {{ fxa_raw_column('jsonPayload.fields.event') }} = 'account.deleted'
                )
                then {{ sha256_hex(fxa_raw_column('jsonPayload.fields.uid')) }}
        end as deleted_user_id
    from unioned
),

timed as (
    {#
        rule future_timestamp: a timestamp more than var input_max_clock_skew_hours after Cloud
        Logging received the line (or after its ingestion day) cannot be true; such a line gets
        no submission day, so it is counted on its ingestion day and never creates a future day
    #}
    select
        *,
        {#- BigQuery's dateadd returns a DATETIME: cast back to compare with a TIMESTAMP #}
        log_timestamp > cast({{ dbt.dateadd(
            'hour', var('input_max_clock_skew_hours', 24) | int,
            'coalesce(receive_timestamp, cast(' ~ dbt.dateadd('day', 1, 'ingest_date')
            ~ ' as ' ~ dbt.type_timestamp() ~ '))'
        ) }} as {{ dbt.type_timestamp() }}) as is_future_timestamp
    from renamed
),

extracted as (
    select
        *,
        case when not is_future_timestamp then cast(log_timestamp as date) end
            as submission_date,
        case
            when not is_future_timestamp then cast(log_timestamp as date) else ingest_date
        end as line_date,
        case
            when logger like 'fxa-%-server' then {{ dbt.split_part('logger', "'-'", 2) }}
        end as fxa_log,
        {{ fxa_epoch_ms_to_timestamp('event_time_raw') }} as event_time,
        {{ is_valid_json('event_properties') }} as has_valid_event_properties,
        {{ is_valid_json('user_properties') }} as has_valid_user_properties,
        {%- for key in ['utm_term', 'utm_source', 'utm_medium', 'utm_campaign', 'utm_content',
            'ua_version', 'ua_browser', 'entrypoint', 'entrypoint_experiment',
            'entrypoint_variation', 'flow_id', 'sync_device_count', 'sync_active_devices_day',
            'sync_active_devices_week', 'sync_active_devices_month'] %}
            {{ json_value('user_properties', key) }} as {{ key }},
        {%- endfor %}
        {%- for key in ['service', 'email_type', 'email_provider', 'oauth_client_id',
            'connect_device_flow', 'connect_device_os', 'email_sender', 'email_service',
            'email_template', 'email_version', 'subscription_id', 'plan_id', 'previous_plan_id',
            'subscribed_plan_ids', 'product_id', 'previous_product_id', 'payment_provider',
            'provider_event_id', 'checkout_type', 'source_country', 'error_id'] %}
            {{ json_value('event_properties', key) }} as {{ key }},
        {%- endfor %}
        coalesce(
            {{ json_value('event_properties', 'promotion_code') }},
            {{ json_value('event_properties', 'promotionCode') }}
        ) as promotion_code,
        coalesce(
            {{ json_value('event_properties', 'country_code_source') }},
            {{ json_value('event_properties', 'source_country') }}
        ) as country_code_source,
        {{ json_value('event_properties', 'country_code') }} as event_properties_country_code,
        cast({{ json_value('event_properties', 'voluntary_cancellation') }} = 'true' as boolean)
            as voluntary_cancellation
    from timed
),

classified as (
    select
        *,
        case
            when record_type is null and has_text_payload then 'text_payload'
            when log_timestamp is null then 'missing_timestamp'
            when record_type is null or record_type != 'amplitudeEvent' then 'not_amplitude_event'
            when logger is null then 'unknown_logger'
            when
                logger not in ({% for logger_name in loggers %}
                    '{{ logger_name }}'{{ ',' if not loop.last }}
                {%- endfor %})
                then 'unknown_logger'
            when event_type is null then 'missing_event_type'
            when length(event_type) > {{ var('input_max_event_name_length', 200) | int }}
                then 'event_type_too_long'
            when is_future_timestamp then 'future_timestamp'
            when event_properties is not null and not has_valid_event_properties
                then 'invalid_event_properties_json'
            when user_properties is not null and not has_valid_user_properties
                then 'invalid_user_properties_json'
            when
                log_timestamp
                < cast('{{ var("fxa_gcp_start_date") }}' as {{ dbt.type_timestamp() }})
                then 'before_gcp_start'
            when cast(receive_timestamp as date) > cast(
                {{ dbt.dateadd('day', var('fxa_late_arrival_days', 1) | int, 'submission_date') }}
                as date
            ) then 'late_arrival'
        end as line_rejection_reason,
        {# GCP rows: auth/legacy payments put country_code in event_properties, payments in fields #}
        coalesce(event_properties_country_code, fields_country_code) as country_code
    from extracted
)

select * from classified
