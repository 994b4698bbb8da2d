{#- one row per logical subscription version: the latest card country and the country code
    (docs/subscriptions.md section 3 country hierarchy) -#}
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

cards as (
    select * from {{ ref('stg_stripe__cards') }}
),

subscription_card_charges as (
    select
        invoices.subscription_id,
        charges.charge_id,
        charges.created_at,
        charges.status = 'succeeded' as is_succeeded,
        cards.country_code
    from charges
    inner join invoices
        on charges.invoice_id = invoices.invoice_id
    inner join cards
        on charges.card_id = cards.card_id
    where cards.country_code is not null
),

ranked_card_charges as (
    {# newest charge before the version's end, succeeded charges preferred #}
    select
        logical_versions.subscription_history_id,
        subscription_card_charges.country_code,
        row_number() over (
            partition by logical_versions.subscription_history_id
            order by
                case when subscription_card_charges.is_succeeded then 1 else 2 end,
                subscription_card_charges.created_at desc,
                subscription_card_charges.charge_id desc
        ) as charge_rank
    from logical_versions
    inner join subscription_card_charges
        on
            logical_versions.subscription_id = subscription_card_charges.subscription_id
            and logical_versions.valid_to > subscription_card_charges.created_at
),

latest_card_country as (
    select
        subscription_history_id,
        country_code as latest_card_country_code
    from ranked_card_charges
    where charge_rank = 1
),

countries as (
    select
        logical_versions.subscription_history_id,
        latest_card_country.latest_card_country_code,
        case
            {# Stripe Tax's address hierarchy since it was enabled on 2022-12-01 #}
            when
                logical_versions.valid_to >= cast('2022-12-01' as {{ dbt.type_timestamp() }})
                and (
                    logical_versions.ended_at is null
                    or logical_versions.ended_at
                    >= cast('2022-12-01' as {{ dbt.type_timestamp() }})
                )
                then coalesce(
                    logical_versions.customer_shipping_address_country_code,
                    logical_versions.customer_address_country_code,
                    latest_card_country.latest_card_country_code
                )
            {# before that SubPlat copied the PayPal billing country to the address #}
            when logical_versions.is_paypal
                then logical_versions.customer_address_country_code
            else latest_card_country.latest_card_country_code
        end as country_code
    from logical_versions
    left join latest_card_country
        on logical_versions.subscription_history_id = latest_card_country.subscription_history_id
)

select * from countries
