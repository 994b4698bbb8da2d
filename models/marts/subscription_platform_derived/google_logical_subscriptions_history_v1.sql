with

logical_subscription_versions as (
    select * from {{ ref('int_google_logical_subscription_versions') }}
),

final as (
    select
        id,
        valid_from,
        valid_to,
        provider_subscriptions_history_id,
        {%- set fields = [] %}
        {%- for field in provider_logical_subscription_fields() %}
            {%- do fields.append((field, 'subscription_id' if field == 'id' else field)) %}
        {%- endfor %}
        {{ struct_of(fields) }} as subscription
    from logical_subscription_versions
)

select * from final
