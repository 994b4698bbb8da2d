with

customer as (
    {{ select_source_contract('stripe', 'customer') }}
),

renamed as (
    select
        cast(id as {{ dbt.type_string() }}) as customer_id,
        cast(created as {{ dbt.type_timestamp() }}) as created_at,
        coalesce(cast(is_deleted as {{ dbt.type_boolean() }}), false) as is_deleted,
        nullif(trim(cast(metadata as {{ dbt.type_string() }})), '') as metadata,
        upper(nullif(trim(cast(address_country as {{ dbt.type_string() }})), ''))
            as address_country_code,
        upper(nullif(trim(cast(shipping_address_country as {{ dbt.type_string() }})), ''))
            as shipping_address_country_code,
        cast(invoice_settings_default_payment_method as {{ dbt.type_string() }})
            as default_payment_method_id
    from customer
),

parsed as (
    select
        customer_id,
        created_at,
        is_deleted,
        metadata,
        (metadata is null or {{ is_valid_json('metadata') }}) as is_metadata_valid,
        lower(nullif(trim({{ json_value('metadata', 'userid') }}), '')) as mozilla_account_id,
        lower(nullif(trim({{ json_value('metadata', 'userid_sha256') }}), ''))
            as mozilla_account_id_sha256,
        address_country_code,
        shipping_address_country_code,
        default_payment_method_id
    from renamed
)

select * from parsed
