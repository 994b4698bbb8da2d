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
    {{ subscription_change_events('comparable_pairs', 'logical_subscriptions_history_id') }}
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
