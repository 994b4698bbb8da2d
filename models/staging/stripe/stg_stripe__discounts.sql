with

discount as (
    {{ select_source_contract('stripe', 'discount') }}
),

renamed as (
    select
        cast(id as {{ dbt.type_string() }}) as discount_id,
        upper(cast(type as {{ dbt.type_string() }})) as discount_type,
        cast(subscription_id as {{ dbt.type_string() }}) as subscription_id,
        cast(customer_id as {{ dbt.type_string() }}) as customer_id,
        cast(invoice_id as {{ dbt.type_string() }}) as invoice_id,
        cast(coupon_id as {{ dbt.type_string() }}) as coupon_id,
        cast(promotion_code as {{ dbt.type_string() }}) as promotion_code_id,
        cast({{ adapter.quote('start') }} as {{ dbt.type_timestamp() }}) as started_at,
        cast({{ adapter.quote('end') }} as {{ dbt.type_timestamp() }}) as ends_at
    from discount
)

select * from renamed
