with

invoice_line_item as (
    {{ select_source_contract('stripe', 'invoice_line_item') }}
),

renamed as (
    select
        cast(invoice_id as {{ dbt.type_string() }}) as invoice_id,
        cast(unique_id as {{ dbt.type_string() }}) as unique_id,
        cast(id as {{ dbt.type_string() }}) as invoice_line_item_id,
        cast(subscription_id as {{ dbt.type_string() }}) as subscription_id,
        cast(subscription_item_id as {{ dbt.type_string() }}) as subscription_item_id,
        cast(plan_id as {{ dbt.type_string() }}) as plan_id,
        lower(cast(type as {{ dbt.type_string() }})) as line_type,
        cast(period_start as {{ dbt.type_timestamp() }}) as period_started_at,
        cast(period_end as {{ dbt.type_timestamp() }}) as period_ends_at,
        cast(amount as {{ dbt.type_bigint() }}) as amount_minor_units,
        upper(cast(currency as {{ dbt.type_string() }})) as currency_code
    from invoice_line_item
)

select * from renamed
