{{ config(**daily_incremental_config()) }}
{#- Glean twin of fxa_event_counts_daily (docs/fxa_events.md 2.2): event counts of both FxA Glean
apps. -#}
{%- set day = run_day('submission_date') %}

with

glean_events as (
    select * from {{ ref('int_glean_events') }}
),

day_events as (
    select
        submission_date,
        app,
        app_channel,
        event_category,
        event_name,
        {# docs/fxa_events.md 2.12 service rule #}
        case
            when relying_party_oauth_client_id = '' then relying_party_service
            else relying_party_oauth_client_id
        end as service,
        country_code,
        client_id,
        user_id_sha256,
        nullif(session_flow_id, '') as flow_id
    from glean_events
    {% if is_incremental() and day -%}
        where submission_date = cast('{{ day }}' as date)
    {%- elif day -%}
        where submission_date <= cast('{{ day }}' as date)
    {%- endif %}
),

counts as (
    select
        submission_date,
        app,
        app_channel,
        event_category,
        event_name,
        service,
        country_code,
        count(*) as event_count,
        count(distinct client_id) as client_count,
        count(distinct user_id_sha256) as user_count,
        count(distinct flow_id) as flow_count
    from day_events
    group by
        submission_date,
        app,
        app_channel,
        event_category,
        event_name,
        service,
        country_code
)

select * from counts
