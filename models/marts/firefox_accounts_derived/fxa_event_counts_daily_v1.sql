{{ config(**daily_incremental_config()) }}
{# Looker "All Event Counts" materialized: events per day and dimension combination #}
with

fxa_all_events as (
    select * from {{ ref('fxa_all_events_v1') }}
),

counts as (
    select
        submission_date,
        fxa_log,
        event_type,
        service,
        oauth_client_id,
        country,
        os_name,
        count(*) as event_count,
        count(distinct user_id) as user_count,
        count(*) - count(user_id) as null_user_event_count
    from fxa_all_events
    where {{ fxa_day_filter('submission_date') }}
    group by submission_date, fxa_log, event_type, service, oauth_client_id, country, os_name
)

select * from counts
