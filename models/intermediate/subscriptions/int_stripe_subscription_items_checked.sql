{#- one row per raw subscription item with the bad-input rule it breaks (null = clean); the
    first applicable rule wins, in the order below -#}
with

subscription_items as (
    select * from {{ ref('stg_stripe__subscription_items') }}
),

plans as (
    select * from {{ ref('stg_stripe__plans') }}
),

products as (
    select * from {{ ref('stg_stripe__products') }}
),

plan_services as (
    select * from {{ ref('int_stripe_plan_services') }}
),

exchange_rates as (
    select * from {{ ref('exchange_rates') }}
),

known_currencies as (
    {# a currency is known when revenue can be converted to USD #}
    select 'USD' as currency_code
    union distinct
    select cast(base_currency as {{ dbt.type_string() }}) as currency_code
    from exchange_rates
),

checked as (
    select
        subscription_items.subscription_item_id,
        subscription_items.subscription_id,
        subscription_items.plan_id,
        subscription_items.created_at,
        subscription_items.quantity,
        subscription_items.current_period_started_at,
        subscription_items.current_period_ends_at,
        plans.product_id,
        plans.amount_minor_units as plan_amount_minor_units,
        plans.currency_code as plan_currency_code,
        plans.interval_type as plan_interval_type,
        plans.interval_count as plan_interval_count,
        case
            when plans.plan_id is null then 'missing_plan'
            when products.product_id is null then 'missing_product'
            when plans.amount_minor_units < 0 then 'negative_plan_amount'
            when known_currencies.currency_code is null then 'unknown_plan_currency'
            when
                plans.interval_type is null
                or plans.interval_type not in ('day', 'week', 'month', 'year')
                or plans.interval_count is null
                or plans.interval_count < 1
                then 'unknown_plan_interval'
        end as rejection_rule,
        {# flag, not a rejection: the item is kept without services (rule unmapped_plan) #}
        plan_services.plan_id is not null as is_mapped_plan
    from subscription_items
    left join plans
        on subscription_items.plan_id = plans.plan_id
    left join products
        on plans.product_id = products.product_id
    left join known_currencies
        on plans.currency_code = known_currencies.currency_code
    left join plan_services
        on plans.plan_id = plan_services.plan_id
)

select * from checked
