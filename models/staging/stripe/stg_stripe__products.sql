with

product as (
    {{ select_source_contract('stripe', 'product') }}
),

renamed as (
    select
        cast(id as {{ dbt.type_string() }}) as product_id,
        cast(name as {{ dbt.type_string() }}) as product_name,
        cast(active as {{ dbt.type_boolean() }}) as is_active
    from product
)

select * from renamed
