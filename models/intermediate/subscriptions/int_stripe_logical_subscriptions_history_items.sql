{#- one row per version of a Stripe logical subscription per subscription item, flat: the
    business rules of docs/subscriptions.md section 3 (the mart packs the `subscription` struct) -#}
with

logical_versions as (
    select * from {{ ref('int_stripe_subscriptions_logical_versions') }}
),

subscription_items_checked as (
    select * from {{ ref('int_stripe_subscription_items_checked') }}
),

subscription_items_plans as (
    select * from {{ ref('int_stripe_subscription_items_plans') }}
),

countries as (
    select * from {{ ref('int_stripe_subscriptions_countries') }}
),

charge_flags as (
    select * from {{ ref('int_stripe_subscriptions_charge_flags') }}
),

discounts as (
    select * from {{ ref('int_stripe_subscriptions_discounts') }}
),

payment_methods as (
    select * from {{ ref('int_stripe_subscriptions_payment_methods') }}
),

ended_reasons as (
    select * from {{ ref('int_stripe_subscriptions_ended_reasons') }}
),

item_sets as (
    {# items are current state: a plan change adds a new set of items sharing one `created` #}
    select distinct
        subscription_id,
        created_at as item_set_created_at
    from subscription_items_checked
),

version_item_sets as (
    {# the set with the latest `created` at or before the version's start, else the earliest #}
    select
        logical_versions.subscription_history_id,
        coalesce(
            max(
                case
                    when item_sets.item_set_created_at <= logical_versions.valid_from
                        then item_sets.item_set_created_at
                end
            ),
            min(item_sets.item_set_created_at)
        ) as item_set_created_at
    from logical_versions
    inner join item_sets
        on logical_versions.subscription_id = item_sets.subscription_id
    group by logical_versions.subscription_history_id
),

version_items as (
    select
        logical_versions.*,
        subscription_items_plans.subscription_item_id,
        subscription_items_plans.plan_id,
        subscription_items_plans.current_period_started_at as item_current_period_started_at,
        subscription_items_plans.current_period_ends_at as item_current_period_ends_at,
        subscription_items_plans.plan_amount_minor_units,
        subscription_items_plans.plan_currency_code,
        subscription_items_plans.plan_interval_type,
        subscription_items_plans.plan_interval_count,
        subscription_items_plans.product_id,
        subscription_items_plans.product_name,
        subscription_items_plans.services,
        subscription_items_plans.is_bundle,
        {# multi-currency prices: subscription metadata overrides the plan's currency/amount #}
        coalesce(
            logical_versions.metadata_currency != subscription_items_plans.plan_currency_code
            and logical_versions.metadata_amount_minor_units is not null,
            false
        ) as has_currency_override
    from logical_versions
    inner join version_item_sets
        on logical_versions.subscription_history_id = version_item_sets.subscription_history_id
    inner join subscription_items_plans
        on
            logical_versions.subscription_id = subscription_items_plans.subscription_id
            and version_item_sets.item_set_created_at = subscription_items_plans.created_at
),

priced as (
    select
        *,
        case
            when has_currency_override then metadata_currency else plan_currency_code
        end as plan_currency,
        case
            when has_currency_override then metadata_amount_minor_units
            else plan_amount_minor_units
        end as plan_amount_minor_units_charged,
        {# scales a discount computed on the plan amount to the override amount #}
        case
            when has_currency_override and plan_amount_minor_units != 0
                then metadata_amount_minor_units * 1.0 / plan_amount_minor_units
            when has_currency_override then 0
            else 1
        end as discount_scale
    from version_items
),

{#- discount amounts in major units: amount_off, or the plan amount * percent_off, rounded to
    minor units, then scaled to the override amount when the metadata currency applies -#}
{%- set discount_amounts = {} %}
{%- for prefix in ['current_period_discount', 'ongoing_discount'] %}
    {%- set amount_expression -%}
        cast(
            round(
                round(
                    coalesce(
                        discounts.{{ prefix }}_amount_off_minor_units * 1.0,
                        priced.plan_amount_minor_units * discounts.{{ prefix }}_percent_off / 100
                    )
                ) * priced.discount_scale
            ) / 100 as {{ dbt.type_numeric() }}
        )
    {%- endset %}
    {%- do discount_amounts.update({prefix: amount_expression}) %}
{%- endfor %}


flat as (
    select
        concat(
            'Stripe-',
            priced.subscription_id,
            '-',
            {{ format_timestamp_id('priced.first_active_at') }},
            '-',
            {{ format_timestamp_id('priced.valid_from') }}
        ) as id,
        priced.valid_from,
        priced.valid_to,
        priced.subscription_history_id as provider_subscriptions_history_id,
        concat(
            'Stripe-',
            priced.subscription_id,
            '-',
            {{ format_timestamp_id('priced.first_active_at') }}
        ) as logical_subscription_id,
        'Stripe' as provider,
        case when priced.is_paypal then 'PayPal' else 'Stripe' end as payment_provider,
        priced.subscription_id as provider_subscription_id,
        priced.subscription_item_id as provider_subscription_item_id,
        priced.created_at as provider_subscription_created_at,
        priced.customer_id as provider_customer_id,
        priced.mozilla_account_id,
        priced.mozilla_account_id_sha256,
        countries.country_code,
        priced.services,
        priced.product_id as provider_product_id,
        priced.product_name,
        priced.plan_id as provider_plan_id,
        priced.plan_interval_type,
        priced.plan_interval_count,
        priced.plan_currency,
        cast(priced.plan_amount_minor_units_charged / 100.0 as {{ dbt.type_numeric() }})
            as plan_amount,
        priced.is_bundle,
        coalesce(
            priced.status = 'trialing'
            or priced.ended_at between priced.trial_started_at and priced.trial_ends_at,
            false
        ) as is_trial,
        priced.is_active_status as is_active,
        priced.status as provider_status,
        priced.first_active_at as started_at,
        priced.ended_at,
        ended_reasons.ended_reason,
        {# newer Stripe connections write the period on the item only (its current state) #}
        case
            when priced.ended_at is null
                then
                    coalesce(
                        priced.current_period_started_at, priced.item_current_period_started_at
                    )
        end as current_period_started_at,
        case
            when priced.ended_at is null
                then coalesce(priced.current_period_ends_at, priced.item_current_period_ends_at)
        end as current_period_ends_at,
        not priced.is_cancel_at_period_end as auto_renew,
        case when priced.is_cancel_at_period_end then priced.canceled_at end
            as auto_renew_disabled_at,
        discounts.initial_discount_name,
        discounts.initial_discount_promotion_code,
        discounts.current_period_discount_name,
        discounts.current_period_discount_promotion_code,
        {{ discount_amounts['current_period_discount'] }} as current_period_discount_amount,
        discounts.ongoing_discount_name,
        discounts.ongoing_discount_promotion_code,
        {{ discount_amounts['ongoing_discount'] }} as ongoing_discount_amount,
        discounts.ongoing_discount_ends_at,
        coalesce(charge_flags.has_refunds, false) as has_refunds,
        coalesce(charge_flags.has_fraudulent_charges, false) as has_fraudulent_charges,
        payment_methods.payment_method
    from priced
    left join countries
        on priced.subscription_history_id = countries.subscription_history_id
    left join charge_flags
        on priced.subscription_history_id = charge_flags.subscription_history_id
    left join discounts
        on priced.subscription_history_id = discounts.subscription_history_id
    left join payment_methods
        on priced.subscription_history_id = payment_methods.subscription_history_id
    left join ended_reasons
        on priced.subscription_history_id = ended_reasons.subscription_history_id
)

select * from flat
