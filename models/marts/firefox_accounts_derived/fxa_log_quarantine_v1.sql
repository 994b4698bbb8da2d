{{ config(**daily_incremental_config(day_column='line_date')) }}
{#
    one row per malformed log line (a line that looks like an FxA analytics event but cannot be
    read as one), with its reason; no ids, no payloads (find the raw line by _log_name/_insert_id)
#}
with

log_lines as (
    select * from {{ ref('int_fxa_log_lines_classified') }}
),

quarantined as (
    select
        line_date,
        log_name as _log_name,
        insert_id as _insert_id,
        line_copy_number,
        stream,
        log_timestamp as timestamp,
        receive_timestamp as receivetimestamp,
        record_type,
        logger,
        {# an over-long event_type is kept only up to the limit #}
        substr(event_type, 1, {{ var('input_max_event_name_length', 200) | int }}) as event_type,
        exclusion_reason as quarantine_reason
    from log_lines
    where
        exclusion_reason in (
            'missing_timestamp',
            'unknown_logger',
            'missing_event_type',
            'event_type_too_long',
            'future_timestamp',
            'invalid_event_properties_json',
            'invalid_user_properties_json'
        )
        and {{ fxa_day_filter('line_date') }}
        and {{ fxa_line_day_prefilter() }}
)

select * from quarantined
