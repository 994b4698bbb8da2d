{#-
    Events of service subscriptions from consecutive service history records (one record per
    service subscription and valid_from, so the previous record is the one before by
    valid_from), with the logical events' rules (macro subscription_change_events). A plan
    change is 'Services Changed' when the other services in the plan change (e.g. Relay alone
    to the VPN + Relay bundle), 'Service Tier Changed' when a tier changes, else
    'Plan Interval Changed'.
-#}
{%- set tiers = "coalesce(subscription.service.tier, '') || '|' || "
    ~ struct_array_field_key('subscription.other_services', 'tier') -%}
{%- set old_tiers = "coalesce(old_subscription.service.tier, '') || '|' || "
    ~ struct_array_field_key('old_subscription.other_services', 'tier') -%}
-- noqa: disable=RF03
-- (RF03 reads struct field access such as subscription.id as a table qualifier)
with

service_subscriptions_history as (
    select * from {{ ref('service_subscriptions_history_v1') }}
),

history_pairs as (
    select
        id as service_subscriptions_history_id,
        valid_from,
        subscription,
        lag(subscription) over (
            partition by subscription.id order by valid_from
        ) as old_subscription
    from service_subscriptions_history
),

comparable_pairs as (
    select
        *,
        {{ struct_array_field_key('subscription.other_services', 'id') }} as service_ids,
        {{ struct_array_field_key('old_subscription.other_services', 'id') }} as old_service_ids,
        {{ tiers }} as service_tiers,
        {{ old_tiers }} as old_service_tiers
    from history_pairs
),

events as (
    {{ subscription_change_events('comparable_pairs', 'service_subscriptions_history_id') }}
),

final as (
    select
        subscription.id
        || '-' || {{ format_timestamp_id('event_at') }}
        || '-' || replace(type, ' ', '-') as id,
        event_at as {{ adapter.quote('timestamp') }},
        subscription.service.id as service_id,
        type,
        reason,
        service_subscriptions_history_id,
        subscription,
        old_subscription
    from events
)

select * from final
