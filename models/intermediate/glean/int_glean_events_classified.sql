{#- Every staged Glean event of both apps with the reason it is kept out of the rollups
    (exclusion_reason NULL = admitted). Order of checks: staging rejection, channel (Q8),
    retention (docs/fxa_events.md 4.7, var fxa_retention_days), erasure (docs/fxa_events.md 4.6,
    int_fxa_deleted_users), metrics opt-out (R1/R4, int_fxa_users_metrics_opt_out; var
    fxa_opt_out_filter). -#}
with

backend_events as (
    select * from {{ ref('stg_glean__accounts_backend_events') }}
),

frontend_events as (
    select * from {{ ref('stg_glean__accounts_frontend_events') }}
),

users_metrics_opt_out as (
    select * from {{ ref('int_fxa_users_metrics_opt_out') }}
),

deleted_users as (
    select * from {{ ref('int_fxa_deleted_users') }}
),

events as (
    select * from backend_events
    union all
    select * from frontend_events
),

newest_day as (
    {#- retention counts back from the newest submission day present in the raw tables, so a
        rerun is deterministic. Read from the staging relations, not the events CTE: a second
        reference to that CTE would make the engine materialise it whole, and a one-day run would
        no longer push its day filter down to the raw scan. -#}
    select max(submission_date) as newest_submission_date
    from (
        select submission_date from {{ ref('stg_glean__accounts_backend_events') }}
        union all
        select submission_date from {{ ref('stg_glean__accounts_frontend_events') }}
    ) as submission_dates
),

classified as (
    select
        events.*,
        case
            when events.rejection_reason is not null then events.rejection_reason
            when
                events.app_channel is null
                or events.app_channel not in ({{ glean_channels() }})
                then 'excluded_channel'
            {% if var('fxa_retention_days', none) is not none -%}
                when events.submission_date < cast({{ dbt.dateadd(
                'day', -1 * var('fxa_retention_days') | int, 'newest_day.newest_submission_date'
            ) }} as date)
                    then 'outside_retention'
            {% endif -%}
            when deleted_users.user_id_sha256 is not null then 'account_deleted'
            when not {{ fxa_opt_out_admits(
                'events.effective_event_timestamp', 'users_metrics_opt_out.metrics_opt_out_at'
            ) }}
                then 'metrics_opted_out'
        end as exclusion_reason
    from events
    cross join newest_day
    left join deleted_users
        on events.user_id_sha256 = deleted_users.user_id_sha256
    {# the opt-out state governing the event's submission day (R1, R4) #}
    left join users_metrics_opt_out
        on
            events.user_id_sha256 = users_metrics_opt_out.user_id_sha256
            and events.submission_date >= users_metrics_opt_out.valid_from_date
            and events.submission_date < users_metrics_opt_out.valid_to_date
)

select * from classified
