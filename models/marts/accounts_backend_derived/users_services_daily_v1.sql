{{ config(**daily_incremental_config(erase_user_column='user_id_sha256', retention=true)) }}
{#- Day D = var submission_date (incremental run), else every day up to it (full refresh). -#}
{%- set day = run_day('submission_date') %}

with

glean_events as (
    select * from {{ ref('int_glean_events') }}
),

users_state_removed as (
    select * from {{ ref('int_glean_users_state_removed') }}
),

activity_events as (
    {# docs/fxa_events.md 2.12: the four backend activity events; Q10: no user id, no row #}
    select
        glean_events.submission_date,
        glean_events.submission_timestamp,
        glean_events.event_id,
        glean_events.user_id_sha256,
        case
            when glean_events.relying_party_oauth_client_id = ''
                then glean_events.relying_party_service
            else glean_events.relying_party_oauth_client_id
        end as service,
        case
            when glean_events.event != 'access_token.checked' then glean_events.country_code
        end as country_code,
        glean_events.event,
        coalesce(glean_events.user_agent_browser, '')
        || '_' || coalesce(glean_events.user_agent_os, '')
        || '_' || coalesce(glean_events.user_agent_version, '') as user_agent_device
    from glean_events
    left join users_state_removed
        on
            glean_events.user_id_sha256 = users_state_removed.user_id_sha256
            and glean_events.submission_date >= users_state_removed.removed_from_date
            and glean_events.submission_date < users_state_removed.removed_to_date
    where
        glean_events.app = 'accounts_backend'
        and glean_events.event in (
            'access_token.checked', 'access_token.created', 'reg.complete', 'login.complete'
        )
        and glean_events.user_id_sha256 is not null
        {# R2: a user opted out before D leaves the rollups from D on #}
        and users_state_removed.user_id_sha256 is null
        -- noqa: disable=LT02
        {%- if is_incremental() and day %}
            and glean_events.submission_date = cast('{{ day }}' as date)
        {%- elif day %}
            and glean_events.submission_date <= cast('{{ day }}' as date)
        {%- endif %}
),

country_occurrences as (
    {# mode_last: most frequent country, ties to the latest last occurrence (submission order,
       then event_id, Q12) #}
    select
        submission_date,
        user_id_sha256,
        service,
        country_code,
        count(*) as occurrences,
        max(event_order) as last_occurrence
    from (
        select
            *,
            row_number() over (
                partition by submission_date, user_id_sha256, service
                order by submission_timestamp, event_id
            ) as event_order
        from activity_events
    ) as ordered_events
    where country_code is not null
    group by submission_date, user_id_sha256, service, country_code
),

mode_last_country as (
    select
        submission_date,
        user_id_sha256,
        service,
        country_code,
        row_number() over (
            partition by submission_date, user_id_sha256, service
            order by occurrences desc, last_occurrence desc
        ) as country_rank
    from country_occurrences
),

user_services as (
    select
        submission_date,
        user_id_sha256,
        service,
        max(
            case
                {% if var('tier1_glean_faithful') -%}
                    {# Q4 faithful: Mozilla compares ISO codes with names, never true #}
                    when country_code in (
                        'United States', 'France', 'Germany', 'United Kingdom', 'Canada'
                    ) then 1
                {%- else -%}
                    when country_code in (
                        'United States', 'France', 'Germany', 'United Kingdom', 'Canada',
                        'US', 'FR', 'DE', 'GB', 'CA'
                    ) then 1
                {%- endif %}
                else 0
            end
        ) = 1 as seen_in_tier1_country,
        max(case when event = 'reg.complete' then 1 else 0 end) = 1 as registered,
        count(distinct user_agent_device) as user_agent_device_count
    from activity_events
    group by submission_date, user_id_sha256, service
),

final as (
    select
        user_services.submission_date,
        user_services.user_id_sha256,
        user_services.service,
        mode_last_country.country_code as country,
        user_services.seen_in_tier1_country,
        user_services.registered,
        user_services.user_agent_device_count
    from user_services
    left join mode_last_country
        on
            user_services.submission_date = mode_last_country.submission_date
            and user_services.user_id_sha256 = mode_last_country.user_id_sha256
            and user_services.service is not distinct from mode_last_country.service
            and mode_last_country.country_rank = 1
)

select * from final
