{#- docs/subscriptions.md section 3: the versions of a Stripe subscription that belong to its
logical
    subscription (from the first active version on), incomplete versions after activation
    skipped (out-of-order sync), valid_to recomputed over the kept versions -#}
with

subscriptions_history as (
    select * from {{ ref('int_stripe_subscriptions_history') }}
),

first_active as (
    {# a logical subscription begins when the provider subscription is first active #}
    select
        subscription_id,
        min(valid_from) as first_active_at
    from subscriptions_history
    where is_active_status
    group by subscription_id
),

kept_versions as (
    select
        subscriptions_history.*,
        first_active.first_active_at
    from subscriptions_history
    inner join first_active
        on subscriptions_history.subscription_id = first_active.subscription_id
    where
        subscriptions_history.valid_from >= first_active.first_active_at
        and subscriptions_history.status != 'incomplete'
),

recomputed as (
    select
        subscription_history_id,
        subscription_id,
        first_active_at,
        valid_from,
        coalesce(
            lead(valid_from) over (partition by subscription_id order by valid_from),
            {{ max_timestamp() }}
        ) as valid_to,
        status,
        is_active_status,
        created_at,
        current_period_started_at,
        current_period_ends_at,
        is_cancel_at_period_end,
        canceled_at,
        ended_at,
        trial_started_at,
        trial_ends_at,
        is_paypal,
        latest_invoice_id,
        default_payment_method_id,
        metadata_currency,
        metadata_amount_minor_units,
        metadata_cancellation_reason,
        cancellation_details_reason,
        customer_id,
        mozilla_account_id,
        mozilla_account_id_sha256,
        customer_address_country_code,
        customer_shipping_address_country_code,
        customer_default_payment_method_id
    from kept_versions
)

select * from recomputed
