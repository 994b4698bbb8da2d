{#- as Mozilla's view: the table with first_touch_attribution left out of both structs
    (old_subscription stays null for a start event) -#}
{%- set fields = [] -%}
{%- for field in service_subscription_fields() if field != 'first_touch_attribution' -%}
    {%- do fields.append(field) -%}
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
        {%- for struct_column in ['subscription', 'old_subscription'] %}
        {%- set struct_fields = [] -%}
        {%- for field in fields -%}
            {%- do struct_fields.append((field, struct_column ~ '.' ~ field)) -%}
        {%- endfor %}
        case
            when {{ struct_column }} is not null then {{ struct_of(struct_fields) }}
        end as {{ struct_column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from service_subscription_events_v1
)

select * from final
