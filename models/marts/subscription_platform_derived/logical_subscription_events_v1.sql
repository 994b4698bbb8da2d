{#-
    Events of logical subscriptions derived from consecutive history records (previous = the
    record before by valid_from, per subscription and provider subscription item). A Stripe
    subscription with two items yields the same event from both items' records; one is kept
    (deduplicated on the event id, lowest item id), since the id has no item in it.
-#}
-- noqa: disable=RF03
-- (RF03 reads struct field access such as info.flow_id as a table qualifier)
with

logical_subscriptions_history as (
    select * from {{ ref('logical_subscriptions_history_v1') }}
),

history_pairs as (
    select
        logical_subscriptions_history.id as logical_subscriptions_history_id,
        logical_subscriptions_history.valid_from,
        logical_subscriptions_history.subscription,
        lag(logical_subscriptions_history.subscription) over (
            partition by
                logical_subscriptions_history.subscription.id,
                logical_subscriptions_history.subscription.provider_subscription_item_id
            order by logical_subscriptions_history.valid_from
        ) as old_subscription
    from logical_subscriptions_history
),

comparable_pairs as (
    select
        *,
        {{ struct_array_field_key('subscription.services', 'id') }} as service_ids,
        {{ struct_array_field_key('old_subscription.services', 'id') }} as old_service_ids,
        {{ struct_array_field_key('subscription.services', 'tier') }} as service_tiers,
        {{ struct_array_field_key('old_subscription.services', 'tier') }} as old_service_tiers
    from history_pairs
),

events as (
    select
        subscription.started_at as event_at,
        'Subscription Start' as type,
        subscription.started_reason as reason,
        logical_subscriptions_history_id,
        subscription,
        old_subscription
    from comparable_pairs
    where old_subscription is null

    union all

    select
        subscription.ended_at as event_at,
        'Subscription End' as type,
        subscription.ended_reason as reason,
        logical_subscriptions_history_id,
        subscription,
        old_subscription
    from comparable_pairs
    where
        subscription.ended_at is not null
        and (old_subscription is null or old_subscription.ended_at is null)

    union all

    select
        valid_from as event_at,
        'Mozilla Account Change' as type,
        case
            when old_subscription.mozilla_account_id_sha256 is null then 'Mozilla Account Added'
            when subscription.mozilla_account_id_sha256 is null then 'Mozilla Account Removed'
            else 'Mozilla Account Changed'
        end as reason,
        logical_subscriptions_history_id,
        subscription,
        old_subscription
    from comparable_pairs
    where
        old_subscription is not null
        and subscription.ended_at is null
        and coalesce(subscription.mozilla_account_id_sha256, '')
        != coalesce(old_subscription.mozilla_account_id_sha256, '')

    union all

    select
        valid_from as event_at,
        'Plan Change' as type,
        case
            when coalesce(service_ids, '') != coalesce(old_service_ids, '')
                then 'Services Changed'
            when coalesce(service_tiers, '') != coalesce(old_service_tiers, '')
                then 'Service Tier Changed'
            when
                subscription.plan_interval_type != old_subscription.plan_interval_type
                or subscription.plan_interval_count != old_subscription.plan_interval_count
                then 'Plan Interval Changed'
            else 'Other'
        end as reason,
        logical_subscriptions_history_id,
        subscription,
        old_subscription
    from comparable_pairs
    where
        old_subscription is not null
        and subscription.ended_at is null
        and subscription.provider_plan_id != old_subscription.provider_plan_id

    union all

    select
        valid_from as event_at,
        'Trial Change' as type,
        case when subscription.is_trial then 'Trial Started' else 'Trial Converted' end as reason,
        logical_subscriptions_history_id,
        subscription,
        old_subscription
    from comparable_pairs
    where
        old_subscription is not null
        and subscription.ended_at is null
        and subscription.is_trial != old_subscription.is_trial

    union all

    select
        valid_from as event_at,
        'Auto-Renew Change' as type,
        case
            when subscription.auto_renew then 'Auto-Renew Enabled' else 'Auto-Renew Disabled'
        end as reason,
        logical_subscriptions_history_id,
        subscription,
        old_subscription
    from comparable_pairs
    where
        old_subscription is not null
        and subscription.ended_at is null
        and subscription.auto_renew != old_subscription.auto_renew
),

identified as (
    select
        subscription.id
        || '-' || {{ format_timestamp_id('event_at') }}
        || '-' || replace(type, ' ', '-') as id,
        event_at as {{ adapter.quote('timestamp') }},
        type,
        reason,
        logical_subscriptions_history_id,
        subscription,
        old_subscription,
        row_number() over (
            partition by
                subscription.id
                || '-' || {{ format_timestamp_id('event_at') }}
                || '-' || replace(type, ' ', '-')
            order by subscription.provider_subscription_item_id
        ) as item_rank
    from events
)

select
    id,
    {{ adapter.quote('timestamp') }},
    type,
    reason,
    logical_subscriptions_history_id,
    subscription,
    old_subscription
from identified
where item_rank = 1
