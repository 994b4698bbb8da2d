{#- one row per logical subscription version: refunds and fraud on the subscription's charges
    up to the version's end -#}
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

refunds as (
    select * from {{ ref('stg_stripe__refunds') }}
),

subscription_events as (
    {# one row per refund, reported-fraudulent charge or PayPal refund, with when it happened #}
    select
        invoices.subscription_id,
        refunds.created_at as happened_at,
        true as is_refund,
        coalesce(refunds.reason = 'fraudulent', false) as is_fraud
    from refunds
    inner join charges
        on refunds.charge_id = charges.charge_id
    inner join invoices
        on charges.invoice_id = invoices.invoice_id
    where refunds.status = 'succeeded'
    union all
    select
        invoices.subscription_id,
        charges.created_at as happened_at,
        false as is_refund,
        true as is_fraud
    from charges
    inner join invoices
        on charges.invoice_id = invoices.invoice_id
    where charges.is_reported_fraudulent
    union all
    select
        invoices.subscription_id,
        invoices.created_at as happened_at,
        true as is_refund,
        false as is_fraud
    from invoices
    where invoices.paypal_refund_transaction_id is not null
),

flags as (
    select
        logical_versions.subscription_history_id,
        coalesce({{ dbt.bool_or('subscription_events.is_refund') }}, false) as has_refunds,
        coalesce({{ dbt.bool_or('subscription_events.is_fraud') }}, false)
            as has_fraudulent_charges
    from logical_versions
    left join subscription_events
        on
            logical_versions.subscription_id = subscription_events.subscription_id
            and logical_versions.valid_to > subscription_events.happened_at
    group by logical_versions.subscription_history_id
)

select * from flags
