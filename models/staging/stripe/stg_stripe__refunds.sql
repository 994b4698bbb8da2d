with

refund as (
    {{ select_source_contract('stripe', 'refund') }}
),

renamed as (
    select
        cast(id as {{ dbt.type_string() }}) as refund_id,
        cast(charge_id as {{ dbt.type_string() }}) as charge_id,
        lower(cast(status as {{ dbt.type_string() }})) as status,
        lower(cast(reason as {{ dbt.type_string() }})) as reason,
        cast(created as {{ dbt.type_timestamp() }}) as created_at,
        cast(amount as {{ dbt.type_bigint() }}) as amount_minor_units
    from refund
)

select * from renamed
