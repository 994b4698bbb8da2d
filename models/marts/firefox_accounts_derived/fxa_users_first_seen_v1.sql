{{ config(**daily_incremental_config(
    day_column='first_seen_date', unique_key='user_id', erase_user_column='user_id',
    bigquery_strategy='merge'
)) }}
{#
    one row per user ever seen in the auth/content logs (any event type). Day mode D: today's
    users merged into {{ this }} - new users get D, known users keep the earlier date and gain
    today's services (rows rewritten by user_id). Set-based: min date and all services.
#}
{%- set day = run_day('submission_date') -%}
with

fxa_all_events as (
    select * from {{ ref('fxa_all_events_v1') }}
),

seen_events as (
    select
        user_id,
        submission_date,
        {# docs/fxa_events.md 2.3: cert_signed without a service is Sync #}
        case
            when service is null and event_type = 'fxa_activity - cert_signed' then 'sync'
            else service
        end as service
    from fxa_all_events
    where
        fxa_log in ('auth', 'auth_bounce', 'content', 'oauth')
        {# Q6: Mozilla keeps one NULL-user row; we drop it #}
        and user_id is not null
        and {{ fxa_day_filter('submission_date') }}
),

users_seen as (
    select
        user_id,
        min(submission_date) as first_seen_date,
        {{ array_agg_distinct_sorted('service') }} as services_used
    from seen_events
    group by user_id
),

{%- if fxa_is_day_mode() %}

    existing as (
        select * from {{ this }}
    ),

    first_seen as (
        select
            users_seen.user_id,
            case
                when existing.first_seen_date < users_seen.first_seen_date
                    then existing.first_seen_date
                else users_seen.first_seen_date
            end as first_seen_date,
            {{ array_union_sorted('existing.services_used', 'users_seen.services_used') }}
                as services_used
        from users_seen
        left join existing
            on users_seen.user_id = existing.user_id
    )
{%- else %}

    first_seen as (
        select
            user_id,
            first_seen_date,
            services_used
        from users_seen
    )
{%- endif %}

select * from first_seen
