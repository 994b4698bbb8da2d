with

invoice as (
    {{ select_source_contract('stripe', 'invoice') }}
),

renamed as (
    select
        cast(id as {{ dbt.type_string() }}) as invoice_id,
        cast(customer_id as {{ dbt.type_string() }}) as customer_id,
        cast(subscription_id as {{ dbt.type_string() }}) as subscription_id,
        cast(charge_id as {{ dbt.type_string() }}) as charge_id,
        lower(cast(status as {{ dbt.type_string() }})) as status,
        cast(created as {{ dbt.type_timestamp() }}) as created_at,
        cast(status_transitions_finalized_at as {{ dbt.type_timestamp() }}) as finalized_at,
        cast(period_start as {{ dbt.type_timestamp() }}) as period_started_at,
        cast(period_end as {{ dbt.type_timestamp() }}) as period_ends_at,
        nullif(trim(cast(metadata as {{ dbt.type_string() }})), '') as metadata
    from invoice
),

parsed as (
    select
        invoice_id,
        customer_id,
        subscription_id,
        charge_id,
        status,
        created_at,
        finalized_at,
        period_started_at,
        period_ends_at,
        metadata,
        (metadata is null or {{ is_valid_json('metadata') }}) as is_metadata_valid,
        nullif(trim({{ json_value('metadata', 'paypalRefundTransactionId') }}), '')
            as paypal_refund_transaction_id
    from renamed
)

select * from parsed
