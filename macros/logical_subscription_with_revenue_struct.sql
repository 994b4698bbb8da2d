{% macro logical_subscription_with_revenue_struct(subscription_fields=none) -%}
    {#- the `subscription` struct of the user-facing daily / monthly views: the history's fields
        without first_touch_attribution (as Mozilla, DENG-9858), then the revenue fields.
        subscription_fields: the history struct's fields in order (default: the logical
        subscription's; the service views pass service_subscription_fields()) -#}
    {%- set fields = [] -%}
    {%- for field in (subscription_fields or logical_subscription_fields())
        if field != 'first_touch_attribution' -%}
        {%- do fields.append((field, 'subscription.' ~ field)) -%}
    {%- endfor -%}
    {%- for field in [
        'country_vat_rate', 'plan_currency_usd_exchange_rate', 'plan_amount_usd',
        'current_period_discount_amount_usd', 'ongoing_discount_amount_usd',
        'monthly_recurring_revenue', 'monthly_recurring_revenue_usd',
        'annual_recurring_revenue', 'annual_recurring_revenue_usd',
    ] -%}
        {%- do fields.append((field, field)) -%}
    {%- endfor -%}
    {{ struct_of(fields) }}
{%- endmacro %}
