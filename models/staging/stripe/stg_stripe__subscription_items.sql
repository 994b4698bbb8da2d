with

subscription_item as (
    {{ select_source_contract('stripe', 'subscription_item') }}
),

renamed as (
    select
        cast(id as {{ dbt.type_string() }}) as subscription_item_id,
        cast(subscription_id as {{ dbt.type_string() }}) as subscription_id,
        cast(plan_id as {{ dbt.type_string() }}) as plan_id,
        cast(created as {{ dbt.type_timestamp() }}) as created_at,
        cast(quantity as {{ dbt.type_bigint() }}) as quantity,
        {# newer Stripe API versions keep the billing period on the item only #}
        cast(current_period_start as {{ dbt.type_timestamp() }}) as current_period_started_at,
        cast(current_period_end as {{ dbt.type_timestamp() }}) as current_period_ends_at
    from subscription_item
)

select * from renamed
