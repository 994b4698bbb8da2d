{#- published view: rows of known relying parties only (inner join on the OAuth clients seed adds
    service_name), internal/test clients hidden (docs/fxa_events.md 2.13, 4.8) -#}
with

funnels as (
    select * from {{ ref('login_funnels_by_service_v1') }}
),

oauth_clients as (
    select * from {{ ref('fxa_oauth_clients') }}
),

excluded_clients as (
    select * from {{ ref('fxa_funnel_excluded_clients') }}
),

published as (
    select
        funnels.*,
        oauth_clients.name as service_name
    from funnels
    inner join oauth_clients
        on funnels.service = oauth_clients.id
    left join excluded_clients
        on funnels.service = excluded_clients.id
    where excluded_clients.id is null
)

select * from published
