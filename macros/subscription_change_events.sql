{% macro subscription_change_events(pairs_cte, history_id_column) -%}
    {#-
        The union of subscription events (docs/subscriptions.md section 6) from consecutive history
        records: pairs_cte has one row per history record with `valid_from`, `subscription`,
        `old_subscription` (the previous record's struct, null for the first), the history id
        column named history_id_column, and the comparable text keys `service_ids`,
        `old_service_ids`, `service_tiers`, `old_service_tiers` (services / tiers of the two
        records, see struct_array_field_key). Columns: event_at, type, reason, the history id,
        subscription, old_subscription. Used by logical_subscription_events_v1 and
        service_subscription_events_v1.
    -#}
select
    subscription.started_at as event_at,
    'Subscription Start' as type,
    subscription.started_reason as reason,
    {{ history_id_column }},
    subscription,
    old_subscription
from {{ pairs_cte }}
where old_subscription is null

union all

select
    subscription.ended_at as event_at,
    'Subscription End' as type,
    subscription.ended_reason as reason,
    {{ history_id_column }},
    subscription,
    old_subscription
from {{ pairs_cte }}
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
    {{ history_id_column }},
    subscription,
    old_subscription
from {{ pairs_cte }}
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
    {{ history_id_column }},
    subscription,
    old_subscription
from {{ pairs_cte }}
where
    old_subscription is not null
    and subscription.ended_at is null
    and subscription.provider_plan_id != old_subscription.provider_plan_id

union all

select
    valid_from as event_at,
    'Trial Change' as type,
    case when subscription.is_trial then 'Trial Started' else 'Trial Converted' end as reason,
    {{ history_id_column }},
    subscription,
    old_subscription
from {{ pairs_cte }}
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
    {{ history_id_column }},
    subscription,
    old_subscription
from {{ pairs_cte }}
where
    old_subscription is not null
    and subscription.ended_at is null
    and subscription.auto_renew != old_subscription.auto_renew
{%- endmacro %}
