{% macro provider_logical_subscription_fields() -%}
    {#- the `subscription` struct fields of the provider histories, in the published order -#}
    {{ return([
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
    ]) }}
{%- endmacro %}
