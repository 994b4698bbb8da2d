with

coupon as (
    {{ select_source_contract('stripe', 'coupon') }}
),

renamed as (
    select
        cast(id as {{ dbt.type_string() }}) as coupon_id,
        cast(name as {{ dbt.type_string() }}) as coupon_name,
        cast(amount_off as {{ dbt.type_bigint() }}) as amount_off_minor_units,
        cast(percent_off as {{ dbt.type_numeric() }}) as percent_off,
        upper(cast(currency as {{ dbt.type_string() }})) as currency_code,
        lower(cast(duration as {{ dbt.type_string() }})) as duration,
        cast(duration_in_months as {{ dbt.type_bigint() }}) as duration_in_months
    from coupon
)

select * from renamed
