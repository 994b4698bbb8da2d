{{ config(**daily_incremental_config(
    cluster_by=['service', 'user_id'], erase_user_column='user_id', retention=true
)) }}
{#
    one row per user, service and day with authenticated use (A2, docs/fxa_events.md 2.3).
    Attributes are mode_last over the day's events; flow and utm attribution look at the day and the
    day before (docs/fxa_events.md 2.8). Each event is placed in the window of its own day and of
    the next day (window_date), so the day and the set-based runs share one code path.
#}
{%- set attributes = ['country', 'language', 'app_version', 'os_name', 'os_version',
    'ua_version', 'ua_browser'] -%}
{%- set utm_columns = ['utm_term', 'utm_medium', 'utm_source', 'utm_campaign', 'utm_content'] -%}
with

fxa_all_events as (
    select * from {{ ref('fxa_all_events_v1') }}
),

tier1_countries as (
    select * from {{ ref('tier1_countries') }}
),

authenticated_events as (
    select
        fxa_all_events.submission_date,
        fxa_all_events.timestamp,
        fxa_all_events._insert_id,
        fxa_all_events.user_id,
        case
            when
                fxa_all_events.service is null
                and fxa_all_events.event_type = 'fxa_activity - cert_signed'
                then 'sync'
            else fxa_all_events.service
        end as service,
        fxa_all_events.event_type,
        fxa_all_events.flow_id,
        fxa_all_events.entrypoint,
        {%- for column in attributes + utm_columns %}
            fxa_all_events.{{ column }},
        {%- endfor %}
        tier1_countries.name is not null as is_tier1_country
    from fxa_all_events
    left join tier1_countries
        on fxa_all_events.country = tier1_countries.name
    where
        fxa_all_events.fxa_log in ('content', 'auth', 'oauth')
        and fxa_all_events.event_type in (
            'fxa_activity - access_token_checked',
            'fxa_activity - access_token_created',
            'fxa_activity - cert_signed',
            'fxa_reg - complete',
            'fxa_login - complete'
        )
        and fxa_all_events.user_id is not null
        and {{ fxa_day_filter('fxa_all_events.submission_date', offset_days=-1) }}
),

window_offsets as (
    select 0 as window_offset
    union all
    select 1 as window_offset
),

windowed_events as (
    select
        authenticated_events.*,
        cast({{ dbt.dateadd('day', 'window_offsets.window_offset',
            'authenticated_events.submission_date') }} as date) as window_date
    from authenticated_events
    cross join window_offsets
    where authenticated_events.service is not null
),

events_in_window as (
    select * from windowed_events
    where {{ fxa_day_filter('window_date') }}
),

day_events as (
    {# the day's own events (the window also holds the day before, for flows and utms) #}
    select
        window_date as submission_date,
        user_id,
        service,
        timestamp,
        _insert_id,
        {%- for column in attributes %}
            {{ column }},
        {%- endfor %}
        is_tier1_country,
        event_type
    from events_in_window
    where submission_date = window_date
),

attribute_modes as (
    {{ mode_last_columns(
        'day_events', ['submission_date', 'user_id', 'service'], attributes,
        'timestamp, _insert_id'
    ) }}
),

daily_flags as (
    select
        submission_date,
        user_id,
        service,
        max(case when is_tier1_country then 1 else 0 end) = 1 as seen_in_tier1_country,
        max(case when event_type = 'fxa_reg - complete' then 1 else 0 end) = 1 as registered,
        array_agg(event_type order by timestamp, _insert_id) as service_events
    from day_events
    group by submission_date, user_id, service
),

daily_attributes as (
    select
        daily_flags.submission_date,
        daily_flags.user_id,
        daily_flags.service,
        {%- for column in attributes %}
            attribute_modes.{{ column }},
        {%- endfor %}
        daily_flags.seen_in_tier1_country,
        daily_flags.registered,
        daily_flags.service_events
    from daily_flags
    inner join attribute_modes
        on
            daily_flags.submission_date = attribute_modes.submission_date
            and daily_flags.user_id = attribute_modes.user_id
            and daily_flags.service = attribute_modes.service
),

flow_entrypoints as (
    {# per flow: the earliest event carrying an entrypoint #}
    select
        window_date,
        flow_id,
        timestamp as flow_timestamp,
        entrypoint as flow_entrypoint,
        row_number() over (
            partition by window_date, flow_id order by timestamp, _insert_id
        ) as flow_rank
    from events_in_window
    where flow_id is not null and entrypoint is not null
),

flow_utms as (
    {# per flow: the utm values of the earliest event carrying any utm #}
    select
        window_date,
        flow_id,
        {%- for column in utm_columns %}
            {{ column }} as flow_{{ column }},
        {%- endfor %}
        row_number() over (
            partition by window_date, flow_id order by timestamp, _insert_id
        ) as flow_rank
    from events_in_window
    where
        flow_id is not null
        and coalesce({{ utm_columns | join(', ') }}) is not null
),

user_service_flows as (
    select
        events_in_window.window_date,
        events_in_window.user_id,
        events_in_window.service,
        flow_entrypoints.flow_id,
        flow_entrypoints.flow_timestamp,
        flow_entrypoints.flow_entrypoint,
        row_number() over (
            partition by
                events_in_window.window_date, events_in_window.user_id,
                events_in_window.service
            order by events_in_window.timestamp, events_in_window._insert_id
        ) as event_rank
    from events_in_window
    inner join flow_entrypoints
        on
            events_in_window.window_date = flow_entrypoints.window_date
            and events_in_window.flow_id = flow_entrypoints.flow_id
            and flow_entrypoints.flow_rank = 1
),

user_service_utms as (
    select
        events_in_window.window_date,
        events_in_window.user_id,
        events_in_window.service,
        {%- for column in utm_columns %}
            flow_utms.flow_{{ column }},
        {%- endfor %}
        row_number() over (
            partition by
                events_in_window.window_date, events_in_window.user_id,
                events_in_window.service
            order by events_in_window.timestamp, events_in_window._insert_id
        ) as event_rank
    from events_in_window
    inner join flow_utms
        on
            events_in_window.window_date = flow_utms.window_date
            and events_in_window.flow_id = flow_utms.flow_id
            and flow_utms.flow_rank = 1
),

services_daily as (
    select
        daily_attributes.submission_date,
        daily_attributes.user_id,
        daily_attributes.service,
        {%- for column in attributes %}
            daily_attributes.{{ column }},
        {%- endfor %}
        daily_attributes.seen_in_tier1_country,
        daily_attributes.registered,
        daily_attributes.service_events,
        {{ struct_of([
            ('flow_id', 'user_service_flows.flow_id'),
            ('timestamp', 'user_service_flows.flow_timestamp'),
            ('entrypoint', 'user_service_flows.flow_entrypoint'),
        ]) }} as user_service_first_daily_flow_info,
        {{ struct_of([
            ('utm_term', 'user_service_utms.flow_utm_term'),
            ('utm_medium', 'user_service_utms.flow_utm_medium'),
            ('utm_source', 'user_service_utms.flow_utm_source'),
            ('utm_campaign', 'user_service_utms.flow_utm_campaign'),
            ('utm_content', 'user_service_utms.flow_utm_content'),
        ]) }} as user_service_utm_info
    from daily_attributes
    left join user_service_flows
        on
            daily_attributes.submission_date = user_service_flows.window_date
            and daily_attributes.user_id = user_service_flows.user_id
            and daily_attributes.service = user_service_flows.service
            and user_service_flows.event_rank = 1
    left join user_service_utms
        on
            daily_attributes.submission_date = user_service_utms.window_date
            and daily_attributes.user_id = user_service_utms.user_id
            and daily_attributes.service = user_service_utms.service
            and user_service_utms.event_rank = 1
)

select * from services_daily
