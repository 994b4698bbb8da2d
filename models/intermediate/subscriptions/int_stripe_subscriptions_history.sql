{#- docs/subscriptions.md section 2: one row per clean version of a Stripe subscription, valid_to =
the next
    version's start, the customer's current data attached -#}
with

subscriptions_history_checked as (
    select * from {{ ref('int_stripe_subscriptions_history_checked') }}
),

customers as (
    select * from {{ ref('stg_stripe__customers') }}
),

clean_versions as (
    select * from subscriptions_history_checked
    where rejection_rule is null
),

intervals as (
    select
        *,
        fivetran_start_at as valid_from,
        coalesce(
            lead(fivetran_start_at) over (
                partition by subscription_id order by fivetran_start_at
            ),
            {{ max_timestamp() }}
        ) as valid_to
    from clean_versions
),

with_customer as (
    select
        intervals.subscription_history_id,
        intervals.subscription_id,
        intervals.valid_from,
        intervals.valid_to,
        intervals.status,
        intervals.is_active_status,
        intervals.created_at,
        intervals.start_date_at,
        intervals.current_period_started_at,
        intervals.current_period_ends_at,
        intervals.is_cancel_at_period_end,
        intervals.canceled_at,
        intervals.ended_at,
        intervals.trial_started_at,
        intervals.trial_ends_at,
        intervals.collection_method,
        intervals.is_paypal,
        intervals.latest_invoice_id,
        intervals.default_payment_method_id,
        intervals.is_metadata_valid,
        intervals.metadata_currency,
        intervals.metadata_amount_minor_units,
        intervals.metadata_cancellation_reason,
        intervals.cancellation_details_reason,
        intervals.customer_id,
        customers.is_deleted as is_customer_deleted,
        customers.mozilla_account_id,
        customers.mozilla_account_id_sha256,
        customers.address_country_code as customer_address_country_code,
        customers.shipping_address_country_code as customer_shipping_address_country_code,
        customers.default_payment_method_id as customer_default_payment_method_id
    from intervals
    inner join customers
        on intervals.customer_id = customers.customer_id
    {# never true after the rejections above; kept as the spec's guard #}
    where intervals.valid_to > intervals.valid_from
)

select * from with_customer
