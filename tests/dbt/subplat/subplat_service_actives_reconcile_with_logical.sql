{{ config(tags=['subplat', 'reconciliation']) }}
{#-
    Reconciliation (issue 16): on every day of daily_active_service_subscriptions_v1 before its
    recent window and of its recent_ twin inside it, per service,
    - the distinct customers with an active service subscription = the distinct (customer,
      service) pairs active in the logical actives that day: customers whose logical
      subscriptions have an active logical_subscriptions_history_v1 record overlapping the day
      whose plan grants the service (a bundle customer counts once per service);
    - the service subscription rows = the distinct (logical subscription, service) pairs of
      those records (one service subscription per logical subscription and service at a time).
    Customer: sha256 account id, else provider customer id, else provider subscription id.
    Only days inside the logical daily table's range are compared. A failing row carries the
    day, the service and both counts.
-#}
-- noqa: disable=RF01,RF03
-- (RF01/RF03 read struct field access and the unnested element as table qualifiers)
with

service_rows as (
    select
        false as is_recent,
        date,
        service_id,
        subscription
    from {{ ref('daily_active_service_subscriptions_v1') }}
    union all
    select
        true as is_recent,
        date,
        service_id,
        subscription
    from {{ ref('recent_daily_active_service_subscriptions_v1') }}
),

service_daily as (
    {# as the user-facing view reads them: the table before the recent window, the twin in it
       (after a backfill of an old day the table still holds the later days the twin covers) #}
    select
        date,
        service_id,
        subscription.logical_subscription_id,
        coalesce(
            subscription.mozilla_account_id_sha256,
            subscription.provider_customer_id,
            subscription.provider_subscription_id
        ) as customer_key
    from service_rows
    where
        is_recent
        or date < (
            select coalesce(min(recent_rows.date), cast('9999-12-31' as date))
            from service_rows as recent_rows
            where recent_rows.is_recent
        )
),

recent_logical_days as (
    select distinct date from {{ ref('recent_daily_active_logical_subscriptions_v1') }}
),

logical_days as (
    {# the days the logical actives' view shows, read the same way as the service rows #}
    select distinct date from {{ ref('daily_active_logical_subscriptions_v1') }}
    where
        date < (
            select coalesce(min(recent_logical_days.date), cast('9999-12-31' as date))
            from recent_logical_days
        )
    union distinct
    select date from recent_logical_days
),

active_logical_records as (
    select
        valid_from,
        valid_to,
        subscription.id as logical_subscription_id,
        coalesce(
            subscription.mozilla_account_id_sha256,
            subscription.provider_customer_id,
            subscription.provider_subscription_id
        ) as customer_key,
        subscription.services
    from {{ ref('logical_subscriptions_history_v1') }}
    where subscription.is_active
),

logical_pairs as (
    select
        logical_days.date,
        {{ unnest_element('service') }}.id as service_id,
        active_logical_records.logical_subscription_id,
        active_logical_records.customer_key
    from active_logical_records
    inner join logical_days
        on
            active_logical_records.valid_from
            < cast({{ dbt.dateadd('day', 1, 'logical_days.date') }} as {{ dbt.type_timestamp() }})
            and active_logical_records.valid_to
            > cast(logical_days.date as {{ dbt.type_timestamp() }})
    {{ cross_join_unnest('active_logical_records.services', 'service') }}
),

expected as (
    select
        date,
        service_id,
        count(distinct customer_key) as customers,
        count(distinct logical_subscription_id) as service_subscriptions
    from logical_pairs
    group by date, service_id
),

actual as (
    select
        date,
        service_id,
        count(distinct customer_key) as customers,
        count(*) as service_subscriptions
    from service_daily
    where date in (select logical_days.date from logical_days)
    group by date, service_id
),

failures as (
    select
        coalesce(expected.date, actual.date) as date,
        coalesce(expected.service_id, actual.service_id) as service_id,
        coalesce(expected.customers, 0) as expected_customers,
        coalesce(actual.customers, 0) as actual_customers,
        coalesce(expected.service_subscriptions, 0) as expected_service_subscriptions,
        coalesce(actual.service_subscriptions, 0) as actual_service_subscriptions,
        case
            when coalesce(expected.customers, 0) != coalesce(actual.customers, 0)
                then 'active customers per service differ from the logical actives'
            else 'service subscription rows differ from (logical subscription, service) pairs'
        end as failed_rule
    from expected
    full outer join actual
        on
            expected.date = actual.date
            and expected.service_id = actual.service_id
    where
        coalesce(expected.customers, 0) != coalesce(actual.customers, 0)
        or coalesce(expected.service_subscriptions, 0)
        != coalesce(actual.service_subscriptions, 0)
)

select * from failures
