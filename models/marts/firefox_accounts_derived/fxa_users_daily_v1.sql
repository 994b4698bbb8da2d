{{ config(**daily_incremental_config(
    cluster_by=['user_id'], erase_user_column='user_id', retention=true
)) }}
{# one row per user active (definition A1, docs/fxa_events.md 2.3) per day #}
with

fxa_all_events as (
    select * from {{ ref('fxa_all_events_v1') }}
),

inactive_event_types as (
    select * from {{ ref('fxa_inactive_event_types') }}
),

tier1_countries as (
    select * from {{ ref('tier1_countries') }}
),

active_events as (
    select
        fxa_all_events.*,
        tier1_countries.name is not null as is_tier1_country
    from fxa_all_events
    left join inactive_event_types
        on fxa_all_events.event_type = inactive_event_types.event_type
    left join tier1_countries
        on fxa_all_events.country = tier1_countries.name
    where
        fxa_all_events.fxa_log in ('auth', 'auth_bounce', 'content', 'oauth')
        and fxa_all_events.user_id is not null
        and inactive_event_types.event_type is null
        and {{ fxa_day_filter('fxa_all_events.submission_date') }}
),

attribute_modes as (
    {{ mode_last_columns(
        'active_events', ['submission_date', 'user_id'],
        ['country', 'language', 'app_version', 'os_name', 'os_version'],
        'timestamp, _insert_id'
    ) }}
),

user_flags as (
    select
        submission_date,
        user_id,
        max(case when is_tier1_country then 1 else 0 end) = 1 as seen_in_tier1_country,
        max(case when event_type = 'fxa_reg - complete' then 1 else 0 end) = 1 as registered,
        {# Q11: three-valued like Mozilla's LOGICAL_AND; engage with NULL service is ignored #}
        min(
            case
                when event_type = 'fxa_rp - engage' and service = 'fx-monitor' then 1
                when event_type = 'fxa_rp - engage' and service is null then null
                else 0
            end
        ) = 1 as monitor_only
    from active_events
    group by submission_date, user_id
),

users_daily as (
    select
        user_flags.submission_date,
        user_flags.user_id,
        {%- for column in ['country', 'language', 'app_version', 'os_name', 'os_version'] %}
            attribute_modes.{{ column }},
        {%- endfor %}
        user_flags.seen_in_tier1_country,
        user_flags.registered,
        user_flags.monitor_only
    from user_flags
    inner join attribute_modes
        on
            user_flags.submission_date = attribute_modes.submission_date
            and user_flags.user_id = attribute_modes.user_id
)

select * from users_daily
