{#
    Every landed log line with its outcome: exclusion_reason NULL = admitted event (becomes a row
    of fxa_all_events_v1); otherwise the first rule that rejects it. Rules after the per-line
    ones of staging: duplicate copies (Q2), the high-volume OAuth client rule
    (docs/fxa_events.md 1.1 rule 2), erasure of deleted accounts (docs/fxa_events.md 4.6), metrics
    opt-out R1 (docs/fxa_events.md 4.2).
#}
with

log_lines as (
    select * from {{ ref('stg_fxa_logs__log_lines') }}
),

high_volume_oauth_clients as (
    select * from {{ ref('fxa_high_volume_oauth_clients') }}
),

deleted_users as (
    select * from {{ ref('int_fxa_deleted_users') }}
),

opt_out as (
    select * from {{ ref('int_fxa_users_metrics_opt_out') }}
),

numbered as (
    {#
        copies of one line share (timestamp, insertId, logName); the first received is kept.
        submission_date (the day of log_timestamp) leads the partition: it changes no group,
        but lets a day filter of a downstream model reach the raw scan below the window
    #}
    select
        *,
        row_number() over (
            partition by submission_date, log_timestamp, insert_id, log_name
            order by receive_timestamp, stream, ingest_date
        ) as line_copy_number
    from log_lines
),

classified as (
    select
        numbered.*,
        opt_out.metrics_opt_out_at,
        case
            when numbered.line_rejection_reason is not null then numbered.line_rejection_reason
            {%- if var('fxa_dedupe_log_lines', true) %}
                when numbered.line_copy_number > 1 then 'duplicate_line'
            {%- endif %}
            when
                numbered.fxa_log = 'auth'
                and high_volume_oauth_clients.id is not null
                and (
                    not high_volume_oauth_clients.keep_non_token_events
                    or numbered.event_type in (
                        'fxa_activity - access_token_checked',
                        'fxa_activity - access_token_created'
                    )
                )
                then 'high_volume_oauth_client'
            when deleted_users.user_id_sha256 is not null then 'deleted_account'
            when not {{
                fxa_opt_out_admits('numbered.log_timestamp', 'opt_out.metrics_opt_out_at')
            }}
                then 'metrics_opted_out'
        end as exclusion_reason
    from numbered
    left join high_volume_oauth_clients
        on numbered.oauth_client_id = high_volume_oauth_clients.id
    left join deleted_users
        on numbered.user_id = deleted_users.user_id_sha256
    left join opt_out
        on
            numbered.user_id = opt_out.user_id_sha256
            and numbered.submission_date >= opt_out.valid_from_date
            and numbered.submission_date < opt_out.valid_to_date
)

select * from classified
