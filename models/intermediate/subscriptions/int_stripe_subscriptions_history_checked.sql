{#- one row per raw subscription_history row with the bad-input rule it breaks (null = clean);
    the first applicable rule wins, in the order below -#}
with

subscriptions_history as (
    select * from {{ ref('stg_stripe__subscriptions_history') }}
),

customers as (
    select * from {{ ref('stg_stripe__customers') }}
),

checked as (
    select
        subscriptions_history.subscription_history_id,
        subscriptions_history.subscription_id,
        subscriptions_history.fivetran_start_at,
        subscriptions_history.fivetran_end_at,
        subscriptions_history.is_fivetran_active,
        subscriptions_history.customer_id,
        subscriptions_history.status,
        subscriptions_history.is_active_status,
        subscriptions_history.is_known_status,
        subscriptions_history.created_at,
        subscriptions_history.start_date_at,
        subscriptions_history.current_period_started_at,
        subscriptions_history.current_period_ends_at,
        subscriptions_history.is_cancel_at_period_end,
        subscriptions_history.canceled_at,
        subscriptions_history.ended_at,
        subscriptions_history.trial_started_at,
        subscriptions_history.trial_ends_at,
        subscriptions_history.collection_method,
        subscriptions_history.is_paypal,
        subscriptions_history.latest_invoice_id,
        subscriptions_history.default_payment_method_id,
        subscriptions_history.metadata,
        subscriptions_history.is_metadata_valid,
        subscriptions_history.metadata_currency,
        subscriptions_history.metadata_amount_minor_units,
        subscriptions_history.metadata_cancellation_reason,
        subscriptions_history.cancellation_details_reason,
        subscriptions_history.duplicate_rank,
        case
            when subscriptions_history.duplicate_rank > 1
                then 'duplicate_version'
            when subscriptions_history.fivetran_end_at < subscriptions_history.fivetran_start_at
                then 'end_before_start'
            when subscriptions_history.fivetran_end_at = subscriptions_history.fivetran_start_at
                then 'zero_length_version'
            when not subscriptions_history.is_known_status
                then 'unknown_status'
            when customers.customer_id is null
                then 'missing_customer'
            {# an active status contradicts an end already reached when the version was written #}
            when
                subscriptions_history.is_active_status
                and subscriptions_history.ended_at <= subscriptions_history.fivetran_start_at
                then 'active_status_ended'
        end as rejection_rule
    from subscriptions_history
    left join customers
        on subscriptions_history.customer_id = customers.customer_id
)

select * from checked
