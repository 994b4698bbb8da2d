{#-
    The service-subscription rules (docs/service_subscriptions.md) on narrow columns: one row
    per logical_subscriptions_history_v1 record and service its plan grants, assigned to its
    service subscription. A service subscription is one logical subscription's continuous run
    of records granting one service: a plan change that keeps the service (bundle upgrade or
    downgrade, tier or interval change) continues it; the service granted again after records
    without it, or by another logical subscription, opens a new one. Numbered per customer
    (sha256 account id, else provider customer id, else provider subscription id) and service.
    service_subscriptions_history_v1 joins the wide struct back on (record id, item id).
-#}
{%- set service = unnest_element('service') -%}
-- noqa: disable=RF01,RF03
-- (RF01/RF03 read struct field access such as subscription.id, and the unnested element, as
-- table qualifiers)
with

logical_subscriptions_history as (
    select * from {{ ref('logical_subscriptions_history_v1') }}
),

service_grants as (
    {# one row per logical history record and service its plan grants; when two items of one
       logical subscription grant the same service, the lowest item's record speaks for it #}
    select
        logical_subscriptions_history.id as logical_subscriptions_history_id,
        logical_subscriptions_history.valid_from,
        logical_subscriptions_history.valid_to,
        logical_subscriptions_history.subscription.id as logical_subscription_id,
        logical_subscriptions_history.subscription.provider_subscription_item_id,
        logical_subscriptions_history.subscription.provider,
        logical_subscriptions_history.subscription.provider_subscription_id,
        coalesce(
            logical_subscriptions_history.subscription.mozilla_account_id_sha256,
            logical_subscriptions_history.subscription.provider_customer_id,
            logical_subscriptions_history.subscription.provider_subscription_id
        ) as customer_key,
        coalesce(logical_subscriptions_history.subscription.is_trial, false) as is_trial,
        {# the logical subscription's initial discount for a run opening with it, else the
           discount of the period in which the service was added #}
        case
            when
                logical_subscriptions_history.valid_from
                = logical_subscriptions_history.subscription.started_at
                then logical_subscriptions_history.subscription.initial_discount_name
            else logical_subscriptions_history.subscription.current_period_discount_name
        end as initial_discount_name,
        case
            when
                logical_subscriptions_history.valid_from
                = logical_subscriptions_history.subscription.started_at
                then logical_subscriptions_history.subscription.initial_discount_promotion_code
            else logical_subscriptions_history.subscription.current_period_discount_promotion_code
        end as initial_discount_promotion_code,
        {{ service }}.id as service_id,
        {{ service }}.name as service_name,
        {{ service }}.tier as service_tier,
        row_number() over (
            partition by
                logical_subscriptions_history.subscription.id,
                {{ service }}.id,
                logical_subscriptions_history.valid_from
            order by logical_subscriptions_history.subscription.provider_subscription_item_id
        ) as item_rank
    from logical_subscriptions_history
    {{ cross_join_unnest('logical_subscriptions_history.subscription.services', 'service') }}
),

service_records as (
    select
        *,
        lag(valid_to) over (
            partition by logical_subscription_id, service_id
            order by valid_from
        ) as previous_valid_to
    from service_grants
    where item_rank = 1
),

service_runs as (
    {# a record opens a run when the service was not granted right before it (first record,
       or records in between whose plan did not include the service) #}
    select
        *,
        coalesce(previous_valid_to != valid_from, true) as opens_run,
        sum(case when coalesce(previous_valid_to != valid_from, true) then 1 else 0 end) over (
            partition by logical_subscription_id, service_id
            order by valid_from
            rows between unbounded preceding and current row
        ) as run_number
    from service_records
),

run_starts as (
    select
        logical_subscription_id,
        service_id,
        run_number,
        provider
        || '-' || provider_subscription_id
        || '-' || service_id
        || '-' || {{ format_timestamp_id('valid_from') }} as service_subscription_id,
        valid_from as service_started_at,
        customer_key,
        is_trial as started_in_trial,
        initial_discount_name,
        initial_discount_promotion_code
    from service_runs
    where opens_run
),

numbered_runs as (
    select
        *,
        row_number() over (
            partition by customer_key, service_id
            order by service_started_at, service_subscription_id
        ) as customer_service_subscription_number
    from run_starts
),

run_records as (
    select
        service_runs.logical_subscriptions_history_id,
        service_runs.provider_subscription_item_id,
        service_runs.valid_from,
        service_runs.valid_to,
        service_runs.logical_subscription_id,
        service_runs.service_id,
        service_runs.service_name,
        service_runs.service_tier,
        numbered_runs.service_subscription_id,
        numbered_runs.service_started_at,
        numbered_runs.customer_service_subscription_number,
        case
            when numbered_runs.customer_service_subscription_number = 1 then 'New Customer'
            else 'Returning Customer'
        end
        || case when numbered_runs.started_in_trial then ' Trial' else '' end as started_reason,
        numbered_runs.initial_discount_name,
        numbered_runs.initial_discount_promotion_code,
        row_number() over (
            partition by numbered_runs.service_subscription_id
            order by service_runs.valid_from desc
        ) as latest_rank
    from service_runs
    inner join numbered_runs
        on
            service_runs.logical_subscription_id = numbered_runs.logical_subscription_id
            and service_runs.service_id = numbered_runs.service_id
            and service_runs.run_number = numbered_runs.run_number
),

final as (
    select
        logical_subscriptions_history_id,
        provider_subscription_item_id,
        valid_from,
        valid_to,
        logical_subscription_id,
        service_id,
        service_name,
        service_tier,
        service_subscription_id,
        service_started_at,
        customer_service_subscription_number,
        started_reason,
        initial_discount_name,
        initial_discount_promotion_code,
        {# the run's last record ends before the far future: the logical subscription goes on
           with a plan that no longer grants the service #}
        case
            when latest_rank = 1 and valid_to < {{ max_timestamp() }} then valid_to
        end as service_dropped_at
    from run_records
)

select * from final
