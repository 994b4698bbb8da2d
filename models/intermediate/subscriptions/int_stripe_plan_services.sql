{#- one row per Stripe plan that grants at least one service: the services (id, name, tier)
    ordered by id; a plan granting several services is a bundle -#}
with

services as (
    select * from {{ ref('services') }}
),

service_plans as (
    select * from {{ ref('service_plans') }}
),

stripe_plan_services as (
    select distinct
        cast(service_plans.provider_plan_id as {{ dbt.type_string() }}) as plan_id,
        cast(services.id as {{ dbt.type_string() }}) as service_id,
        cast(services.name as {{ dbt.type_string() }}) as service_name,
        cast(service_plans.tier as {{ dbt.type_string() }}) as service_tier
    from service_plans
    inner join services
        on service_plans.service_id = services.id
    where service_plans.provider = 'Stripe'
),

aggregated as (
    select
        plan_id,
        array_agg(
            {{ struct_of([
                ('id', 'service_id'),
                ('name', 'service_name'),
                ('tier', 'service_tier'),
            ]) }}
            order by service_id
        ) as services,
        count(*) as service_count
    from stripe_plan_services
    group by plan_id
)

select
    plan_id,
    services,
    service_count,
    service_count > 1 as is_bundle
from aggregated
