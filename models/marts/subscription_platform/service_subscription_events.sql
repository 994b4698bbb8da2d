{#- as Mozilla's view: the table with first_touch_attribution left out of both structs
    (old_subscription stays null for a start event) -#}
{%- set structs = {} -%}
{%- for struct_column in ['subscription', 'old_subscription'] -%}
    {%- set struct_fields = [] -%}
    {%- for field in service_subscription_fields() if field != 'first_touch_attribution' -%}
        {%- do struct_fields.append((field, struct_column ~ '.' ~ field)) -%}
    {%- endfor -%}
    {%- do structs.update({struct_column: struct_of(struct_fields)}) -%}
{%- endfor -%}
with

service_subscription_events_v1 as (
    select * from {{ ref('service_subscription_events_v1') }}
),

final as (
    select
        id,
        {{ adapter.quote('timestamp') }},
        service_id,
        type,
        reason,
        service_subscriptions_history_id,
        case when subscription is not null then {{ structs['subscription'] }} end as subscription,
        case
            when old_subscription is not null then {{ structs['old_subscription'] }}
        end as old_subscription
    from service_subscription_events_v1
)

select * from final
