{#-
    Events of logical subscriptions derived from consecutive history records. Previous = the
    record of the subscription's previous version (by valid_from) for the same provider
    subscription item, else (a Stripe plan change replaces the item: new item id) the previous
    version's record of an item the new version no longer has, else its lowest item. A Stripe
    subscription with two items yields the same event from both items' records; one is kept
    (deduplicated on the event id, lowest item id), since the id has no item in it.
-#}
-- noqa: disable=RF03
-- (RF03 reads struct field access such as info.flow_id as a table qualifier)
with

logical_subscriptions_history as (
    select * from {{ ref('logical_subscriptions_history_v1') }}
),

history_rows as (
    select
        id as logical_subscriptions_history_id,
        valid_from,
        subscription,
        subscription.id as subscription_id,
        coalesce(subscription.provider_subscription_item_id, '') as item_key
    from logical_subscriptions_history
),

versions as (
    select distinct
        subscription_id,
        valid_from
    from history_rows
),

previous_versions as (
    select
        subscription_id,
        valid_from,
        lag(valid_from) over (
            partition by subscription_id order by valid_from
        ) as previous_valid_from
    from versions
),

candidate_pairs as (
    select
        history_rows.logical_subscriptions_history_id,
        history_rows.valid_from,
        history_rows.subscription,
        previous_rows.subscription as old_subscription,
        row_number() over (
            partition by history_rows.logical_subscriptions_history_id, history_rows.item_key
            order by
                case
                    when previous_rows.item_key = history_rows.item_key then 0
                    when kept_items.item_key is null then 1
                    else 2
                end,
                previous_rows.item_key
        ) as previous_rank
    from history_rows
    inner join previous_versions
        on
            history_rows.subscription_id = previous_versions.subscription_id
            and history_rows.valid_from = previous_versions.valid_from
    left join history_rows as previous_rows
        on
            previous_versions.subscription_id = previous_rows.subscription_id
            and previous_versions.previous_valid_from = previous_rows.valid_from
    {# the previous record's item, when the new version still has it #}
    left join history_rows as kept_items
        on
            previous_rows.subscription_id = kept_items.subscription_id
            and previous_rows.item_key = kept_items.item_key
            and history_rows.valid_from = kept_items.valid_from
),

history_pairs as (
    select
        logical_subscriptions_history_id,
        valid_from,
        subscription,
        old_subscription
    from candidate_pairs
    where previous_rank = 1
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
