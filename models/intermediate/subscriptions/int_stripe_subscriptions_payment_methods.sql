{#- one row per logical subscription version: the payment method label -#}
with

logical_versions as (
    select * from {{ ref('int_stripe_subscriptions_logical_versions') }}
),

payment_methods as (
    select * from {{ ref('stg_stripe__payment_methods') }}
),

payment_method_cards as (
    select * from {{ ref('stg_stripe__payment_method_cards') }}
),

labelled as (
    select
        logical_versions.subscription_history_id,
        coalesce(
            logical_versions.default_payment_method_id,
            logical_versions.customer_default_payment_method_id
        ) as payment_method_id,
        case
            when logical_versions.is_paypal then 'PayPal'
            when payment_methods.payment_method_type = 'cashapp' then 'Cash App'
            else {{ title_case_words(
                'coalesce(payment_method_cards.wallet_type, payment_methods.payment_method_type)'
            ) }}
        end as payment_method
    from logical_versions
    left join payment_methods
        on
            coalesce(
                logical_versions.default_payment_method_id,
                logical_versions.customer_default_payment_method_id
            ) = payment_methods.payment_method_id
    left join payment_method_cards
        on payment_methods.payment_method_id = payment_method_cards.payment_method_id
)

select * from labelled
