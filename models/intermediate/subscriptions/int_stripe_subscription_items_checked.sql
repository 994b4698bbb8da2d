{#- one row per raw subscription item with the bad-input rule it breaks (null = clean) -#}
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
        case
            when plans.plan_id is null then 'missing_plan'
            when products.product_id is null then 'missing_product'
        end as rejection_rule
    from subscription_items
    left join plans
        on subscription_items.plan_id = plans.plan_id
    left join products
        on plans.product_id = products.product_id
)

select * from checked
