{% macro glean_stage_events_stream(app) -%}
{#- Staging select shared by the two Glean events_stream tables (accounts_backend and
    accounts_frontend have the same shape): rename, cast, drop PII (raw account_user_id, geo below
    country, ISP), categorise each row with a rejection_reason (NULL = usable). -#}
with

events_stream as (
    {#- the submission day is computed next to the raw scan: DuckDB then pushes a one-day filter
        of a reader (through the dedupe window below, partitioned by it) into the scan itself #}
    select
        *,
        cast(cast(submission_timestamp as {{ dbt.type_timestamp() }}) as date)
            as _submission_date
    from {{ source(app, 'events_stream') }}
),

renamed as (
    select
        cast(event_id as {{ dbt.type_string() }}) as event_id,
        cast(document_id as {{ dbt.type_string() }}) as document_id,
        cast(document_event_number as {{ dbt.type_int() }}) as document_event_number,
        cast(submission_timestamp as {{ dbt.type_timestamp() }}) as submission_timestamp,
        _submission_date as submission_date,
        cast(event_timestamp as {{ dbt.type_timestamp() }}) as event_timestamp,
        cast(client_id as {{ dbt.type_string() }}) as client_id,
        cast(sample_id as {{ dbt.type_int() }}) as sample_id,
        cast(normalized_channel as {{ dbt.type_string() }}) as normalized_channel,
        cast({{ glean_column('client_info.app_channel') }} as {{ dbt.type_string() }})
            as client_app_channel,
        cast({{ glean_column('client_info.app_display_version') }} as {{ dbt.type_string() }})
            as app_display_version,
        cast({{ glean_column('client_info.os') }} as {{ dbt.type_string() }}) as os,
        cast({{ glean_column('client_info.os_version') }} as {{ dbt.type_string() }}) as os_version,
        cast({{ glean_column('client_info.locale') }} as {{ dbt.type_string() }}) as locale,
        cast({{ glean_column('metadata.geo.country') }} as {{ dbt.type_string() }}) as country_code,
        cast({{ glean_column('metadata.user_agent.browser') }} as {{ dbt.type_string() }})
            as user_agent_browser,
        cast({{ glean_column('metadata.user_agent.os') }} as {{ dbt.type_string() }})
            as user_agent_os,
        cast({{ glean_column('metadata.user_agent.version') }} as {{ dbt.type_string() }})
            as user_agent_version,
        cast({{ glean_column('metrics.string.account_user_id_sha256') }} as {{ dbt.type_string() }})
            as raw_user_id_sha256,
        cast(
            {{ glean_column('metrics.string.relying_party_oauth_client_id') }}
            as {{ dbt.type_string() }}
        ) as relying_party_oauth_client_id,
        cast({{ glean_column('metrics.string.relying_party_service') }} as {{ dbt.type_string() }})
            as relying_party_service,
        cast({{ glean_column('metrics.string.session_flow_id') }} as {{ dbt.type_string() }})
            as session_flow_id,
        cast({{ glean_column('metrics.string.session_entrypoint') }} as {{ dbt.type_string() }})
            as session_entrypoint,
        cast({{ glean_column('metrics.string.utm_campaign') }} as {{ dbt.type_string() }})
            as utm_campaign,
        cast({{ glean_column('metrics.string.utm_content') }} as {{ dbt.type_string() }})
            as utm_content,
        cast({{ glean_column('metrics.string.utm_medium') }} as {{ dbt.type_string() }})
            as utm_medium,
        cast({{ glean_column('metrics.string.utm_source') }} as {{ dbt.type_string() }})
            as utm_source,
        cast({{ glean_column('metrics.string.utm_term') }} as {{ dbt.type_string() }}) as utm_term,
        cast(event_category as {{ dbt.type_string() }}) as event_category,
        cast(event_name as {{ dbt.type_string() }}) as event_name,
        cast(event_extra as {{ dbt.type_string() }}) as raw_event_extra,
        cast(is_bot_generated as {{ dbt.type_boolean() }}) as is_bot_generated
    from events_stream
),

categorised as (
    select
        '{{ app }}' as app,
        event_id,
        document_id,
        document_event_number,
        submission_timestamp,
        submission_date,
        event_timestamp,
        {# R1 compares the opt-out time with the client event time, else the submission time #}
        coalesce(event_timestamp, submission_timestamp) as effective_event_timestamp,
        client_id,
        sample_id,
        coalesce(client_app_channel, normalized_channel) as app_channel,
        app_display_version,
        os,
        os_version,
        locale,
        country_code,
        user_agent_browser,
        user_agent_os,
        user_agent_version,
        {# Q10: an empty user id is no user #}
        case when raw_user_id_sha256 != '' then lower(raw_user_id_sha256) end as user_id_sha256,
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
        event_category || '.' || event_name as event,
        case when {{ is_valid_json('raw_event_extra') }} then raw_event_extra end as event_extra,
        (
            raw_event_extra is not null and not {{ is_valid_json('raw_event_extra') }}
        ) as has_invalid_event_extra,
        coalesce(is_bot_generated, false) as is_bot_generated,
        {#- Deduplicated per submission day, as Mozilla's copy_deduplicate does for a ping's
            document_id: a redelivery on a later day is kept on both days. A window partitioned
            by the day lets a one-day run read one day of events. #}
        row_number() over (
            partition by submission_date, event_id
            order by submission_timestamp nulls last, document_id, event_timestamp
        ) as event_id_copy_number
    from renamed
),

final as (
    select
        *,
        case
            when submission_timestamp is null then 'missing_submission_timestamp'
            when event_id is null or event_id = '' then 'missing_event_id'
            when event_category is null or event_name is null then 'missing_event_name'
            when length(event) > {{ var('input_max_event_name_length', 200) | int }}
                then 'event_name_too_long'
            when event_id_copy_number > 1 then 'duplicate_event_id'
        end as rejection_reason
    from categorised
)

select * from final
{%- endmacro %}
