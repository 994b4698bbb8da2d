with

plan as (
    {{ select_source_contract('stripe', 'plan') }}
),

renamed as (
    select
        cast(id as {{ dbt.type_string() }}) as plan_id,
        cast(product_id as {{ dbt.type_string() }}) as product_id,
        cast(amount as {{ dbt.type_bigint() }}) as amount_minor_units,
        upper(cast(currency as {{ dbt.type_string() }})) as currency_code,
        lower(cast({{ adapter.quote('interval') }} as {{ dbt.type_string() }}))
            as interval_type,
        cast(interval_count as {{ dbt.type_bigint() }}) as interval_count,
        cast(active as {{ dbt.type_boolean() }}) as is_active,
        cast(nickname as {{ dbt.type_string() }}) as nickname
    from plan
)

select * from renamed
