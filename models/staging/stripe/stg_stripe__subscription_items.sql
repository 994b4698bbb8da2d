with

subscription_item as (
    select * from {{ source('stripe', 'subscription_item') }}
),

renamed as (
    select
        cast(id as {{ dbt.type_string() }}) as subscription_item_id,
        cast(subscription_id as {{ dbt.type_string() }}) as subscription_id,
        cast(plan_id as {{ dbt.type_string() }}) as plan_id,
        cast(created as {{ dbt.type_timestamp() }}) as created_at,
        cast(quantity as {{ dbt.type_bigint() }}) as quantity
    from subscription_item
)

select * from renamed
