{#- one row per version of a Stripe logical subscription per subscription item; the rules live
    in int_stripe_logical_subscriptions_history_items, this packs Mozilla's `subscription`
    struct in the published field order -#}
{%- set subscription_fields = [
    'id', 'provider', 'payment_provider', 'provider_subscription_id',
    'provider_subscription_item_id', 'provider_subscription_created_at',
    'provider_customer_id', 'mozilla_account_id', 'mozilla_account_id_sha256',
    'country_code', 'services', 'provider_product_id', 'product_name', 'provider_plan_id',
    'plan_interval_type', 'plan_interval_count', 'plan_currency', 'plan_amount',
    'is_bundle', 'is_trial', 'is_active', 'provider_status', 'started_at', 'ended_at',
    'ended_reason', 'current_period_started_at', 'current_period_ends_at', 'auto_renew',
    'auto_renew_disabled_at', 'initial_discount_name', 'initial_discount_promotion_code',
    'current_period_discount_name', 'current_period_discount_promotion_code',
    'current_period_discount_amount', 'ongoing_discount_name',
    'ongoing_discount_promotion_code', 'ongoing_discount_amount', 'ongoing_discount_ends_at',
    'has_refunds', 'has_fraudulent_charges', 'payment_method',
] -%}
{%- set struct_fields = [] -%}
{%- for field in subscription_fields -%}
    {%- do struct_fields.append((
        field,
        'logical_subscription_id' if field == 'id' else field,
    )) -%}
{%- endfor -%}
with

history_items as (
    select * from {{ ref('int_stripe_logical_subscriptions_history_items') }}
),

final as (
    select
        id,
        valid_from,
        valid_to,
        provider_subscriptions_history_id,
        {{ struct_of(struct_fields) }} as subscription
    from history_items
)

select * from final
