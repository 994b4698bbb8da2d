{#- one row per clean subscription item with its plan, product and services attached -#}
with

subscription_items_checked as (
    select * from {{ ref('int_stripe_subscription_items_checked') }}
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

clean_items as (
    select * from subscription_items_checked
    where rejection_rule is null
),

with_plan as (
    select
        clean_items.subscription_item_id,
        clean_items.subscription_id,
        clean_items.created_at,
        clean_items.quantity,
        clean_items.current_period_started_at,
        clean_items.current_period_ends_at,
        plans.plan_id,
        plans.amount_minor_units as plan_amount_minor_units,
        plans.currency_code as plan_currency_code,
        plans.interval_type as plan_interval_type,
        plans.interval_count as plan_interval_count,
        products.product_id,
        products.product_name,
        plan_services.services,
        coalesce(plan_services.is_bundle, false) as is_bundle
    from clean_items
    inner join plans
        on clean_items.plan_id = plans.plan_id
    inner join products
        on plans.product_id = products.product_id
    left join plan_services
        on plans.plan_id = plan_services.plan_id
)

select * from with_plan
