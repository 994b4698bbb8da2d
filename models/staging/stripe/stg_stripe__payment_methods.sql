with

payment_method as (
    {{ select_source_contract('stripe', 'payment_method') }}
),

renamed as (
    select
        cast(id as {{ dbt.type_string() }}) as payment_method_id,
        cast(customer_id as {{ dbt.type_string() }}) as customer_id,
        lower(cast(type as {{ dbt.type_string() }})) as payment_method_type
    from payment_method
)

select * from renamed
