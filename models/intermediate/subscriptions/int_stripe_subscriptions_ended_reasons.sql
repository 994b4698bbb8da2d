{#- one row per logical subscription version: why the subscription ended (null while it has
    not ended) -#}
with

logical_versions as (
    select * from {{ ref('int_stripe_subscriptions_logical_versions') }}
),

invoices as (
    select * from {{ ref('stg_stripe__invoices') }}
),

charges as (
    select * from {{ ref('stg_stripe__charges') }}
),

with_latest_invoice as (
    select
        logical_versions.*,
        invoices.status as latest_invoice_status,
        charges.status as latest_invoice_charge_status
    from logical_versions
    left join invoices
        on logical_versions.latest_invoice_id = invoices.invoice_id
    left join charges
        on invoices.charge_id = charges.charge_id
),

reasons as (
    select
        subscription_history_id,
        latest_invoice_status,
        latest_invoice_charge_status,
        case
            when ended_at is null then null
            when metadata_cancellation_reason = 'fxa_admin_requested_account_delete'
                then 'Admin Initiated'
            when
                (
                    cancellation_details_reason is null
                    and valid_from < cast('2024-05-17' as {{ dbt.type_timestamp() }})
                    and is_cancel_at_period_end
                )
                or (
                    cancellation_details_reason = 'cancellation_requested'
                    and metadata_cancellation_reason is null
                )
                or cancellation_details_reason = 'payment_disputed'
                or metadata_cancellation_reason = 'fxa_user_requested_account_delete'
                then 'Customer Initiated'
            when
                cancellation_details_reason = 'payment_failed'
                or latest_invoice_status = 'uncollectible'
                or latest_invoice_charge_status = 'failed'
                then 'Payment Failure'
            else 'Other'
        end as ended_reason
    from with_latest_invoice
)

select * from reasons
