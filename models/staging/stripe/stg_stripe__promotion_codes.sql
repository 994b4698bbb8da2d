with

promotion_code as (
    {{ select_source_contract('stripe', 'promotion_code') }}
),

renamed as (
    select
        cast(id as {{ dbt.type_string() }}) as promotion_code_id,
        cast(code as {{ dbt.type_string() }}) as promotion_code,
        cast(coupon_id as {{ dbt.type_string() }}) as coupon_id
    from promotion_code
)

select * from renamed
