{%- set subscription_fields = [] -%}
{%- for field in logical_subscription_fields() -%}
    {%- do subscription_fields.append((field, 'subscription_id' if field == 'id' else field)) -%}
{%- endfor -%}
with

logical_subscriptions_history_enriched as (
    select * from {{ ref('int_logical_subscriptions_history_enriched') }}
),

final as (
    select
        id,
        valid_from,
        valid_to,
        provider_subscriptions_history_id,
        {{ struct_of(subscription_fields) }} as subscription
    from logical_subscriptions_history_enriched
)

select * from final
