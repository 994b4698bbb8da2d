with

charge as (
    {{ select_source_contract('stripe', 'charge') }}
),

renamed as (
    select
        cast(id as {{ dbt.type_string() }}) as charge_id,
        cast(invoice_id as {{ dbt.type_string() }}) as invoice_id,
        cast(customer_id as {{ dbt.type_string() }}) as customer_id,
        cast(card_id as {{ dbt.type_string() }}) as card_id,
        lower(cast(status as {{ dbt.type_string() }})) as status,
        cast(created as {{ dbt.type_timestamp() }}) as created_at,
        cast(amount as {{ dbt.type_bigint() }}) as amount_minor_units,
        cast(amount_refunded as {{ dbt.type_bigint() }}) as amount_refunded_minor_units,
        lower(cast(fraud_details_user_report as {{ dbt.type_string() }}))
            as fraud_details_user_report,
        lower(cast(fraud_details_stripe_report as {{ dbt.type_string() }}))
            as fraud_details_stripe_report
    from charge
),

categorised as (
    select
        *,
        {# reported fraudulent by the user, or by Stripe and not marked safe by the user #}
        coalesce(
            fraud_details_user_report = 'fraudulent'
            or (
                fraud_details_stripe_report = 'fraudulent'
                and fraud_details_user_report is distinct from 'safe'
            ),
            false
        ) as is_reported_fraudulent
    from renamed
)

select * from categorised
