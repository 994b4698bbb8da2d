with

service_plans as (
    select * from {{ ref('service_plans') }}
),

services as (
    select * from {{ ref('services') }}
),

plan_services as (
    {# one row per provider plan: the services it grants (a bundle grants several) #}
    select
        service_plans.provider,
        cast(service_plans.provider_plan_id as {{ dbt.type_string() }}) as provider_plan_id,
        array_agg(
            {{ struct_of([
                ('id', 'cast(services.id as ' ~ dbt.type_string() ~ ')'),
                ('name', 'cast(services.name as ' ~ dbt.type_string() ~ ')'),
                ('tier', 'cast(service_plans.tier as ' ~ dbt.type_string() ~ ')'),
            ]) }}
            order by services.id
        ) as services,
        count(*) as service_count,
        string_agg(services.name, ' + ' order by services.id) as service_names
    from service_plans
    inner join services
        on service_plans.service_id = services.id
    group by
        service_plans.provider,
        service_plans.provider_plan_id
)

select
    provider,
    provider_plan_id,
    services,
    service_count,
    service_count > 1 as is_bundle,
    service_names
from plan_services
