{% macro service_subscription_fields() -%}
    {#- the `subscription` struct fields of service_subscriptions_history_v1, in the order of
        Mozilla's published schema (includes resolved by hand) -#}
    {{ return([
        'id', 'provider', 'payment_provider', 'logical_subscription_id',
        'provider_subscription_id', 'provider_subscription_item_id',
        'provider_subscription_created_at', 'provider_subscription_updated_at',
        'provider_customer_id', 'mozilla_account_id', 'mozilla_account_id_sha256',
        'customer_logical_subscription_number', 'customer_service_subscription_number',
        'country_code', 'country_name', 'service', 'other_services', 'provider_product_id',
        'product_name', 'provider_plan_id', 'plan_summary', 'plan_interval', 'plan_interval_type',
        'plan_interval_count', 'plan_interval_months', 'plan_currency', 'plan_amount', 'is_bundle',
        'is_trial', 'is_active', 'provider_status', 'logical_subscription_started_at',
        'started_at', 'ended_at', 'current_period_started_at', 'current_period_ends_at',
        'auto_renew', 'auto_renew_disabled_at', 'initial_discount_name',
        'initial_discount_promotion_code', 'current_period_discount_name',
        'current_period_discount_promotion_code', 'current_period_discount_amount',
        'ongoing_discount_name', 'ongoing_discount_promotion_code', 'ongoing_discount_amount',
        'ongoing_discount_ends_at', 'has_refunds', 'has_fraudulent_charges',
        'first_touch_attribution', 'last_touch_attribution', 'ended_reason', 'started_reason',
        'payment_method',
    ]) }}
{%- endmacro %}
