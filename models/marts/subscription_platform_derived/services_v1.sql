{#- one row per SubPlat service: its tiers and the provider plans that grant it -#}
with

services as (
    select * from {{ ref('services') }}
),

service_plans as (
    select * from {{ ref('service_plans') }}
),

service_tier_plans as (
    select
        service_id,
        tier,
        array_agg(
            {{ struct_of([
                ('provider', 'cast(provider as ' ~ dbt.type_string() ~ ')'),
                ('plan_id', 'cast(provider_plan_id as ' ~ dbt.type_string() ~ ')'),
            ]) }}
            order by provider, provider_plan_id
        ) as plans
    from service_plans
    group by service_id, tier
),

service_tiers as (
    select
        service_id,
        array_agg(
            {{ struct_of([
                ('name', 'cast(tier as ' ~ dbt.type_string() ~ ')'),
                ('plans', 'plans'),
            ]) }}
            order by tier
        ) as tiers,
        count(*) as tier_count
    from service_tier_plans
    group by service_id
),

final as (
    select
        cast(services.id as {{ dbt.type_string() }}) as id,
        cast(services.name as {{ dbt.type_string() }}) as name,
        service_tiers.tiers,
        coalesce(service_tiers.tier_count, 0) as tier_count
    from services
    left join service_tiers
        on services.id = service_tiers.service_id
)

select * from final
