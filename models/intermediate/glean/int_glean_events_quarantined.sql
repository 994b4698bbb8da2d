{#- One row per raw Glean event kept out of (or repaired for) the rollups, with its reason.
    No user id: rows of erased accounts must not keep one (docs/fxa_events.md 4.6). -#}
with

classified_events as (
    select * from {{ ref('int_glean_events_classified') }}
),

excluded as (
    select
        app,
        event_id,
        event_id_copy_number,
        document_id,
        submission_date,
        event,
        exclusion_reason as reason,
        'excluded' as outcome
    from classified_events
    where exclusion_reason is not null
),

repaired as (
    select
        app,
        event_id,
        event_id_copy_number,
        document_id,
        submission_date,
        event,
        'invalid_event_extra_json' as reason,
        'kept_extra_nulled' as outcome
    from classified_events
    where exclusion_reason is null and has_invalid_event_extra
),

without_user as (
    {# Q10: backend activity events without a user id count in event totals, not in user rollups #}
    select
        app,
        event_id,
        event_id_copy_number,
        document_id,
        submission_date,
        event,
        'missing_user_id' as reason,
        'excluded_from_user_rollups' as outcome
    from classified_events
    where
        exclusion_reason is null
        and app = 'accounts_backend'
        and event in (
            'access_token.checked', 'access_token.created', 'reg.complete', 'login.complete'
        )
        and user_id_sha256 is null
),

quarantined as (
    select * from excluded
    union all
    select * from repaired
    union all
    select * from without_user
)

select * from quarantined
