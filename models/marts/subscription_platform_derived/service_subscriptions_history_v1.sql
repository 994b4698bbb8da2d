{#-
    Service subscriptions (docs/service_subscriptions.md): the records of
    int_service_subscription_records (which service subscription each logical record and
    granted service belongs to) with the logical record's struct reshaped to Mozilla's service
    struct, plus one closing record per service subscription whose service a plan change
    dropped while the logical subscription went on (inactive, ended_reason 'Downgrade').
-#}
{{ config(cluster_by=['valid_to', 'valid_from']) }}
{%- set subscription_fields = [] -%}
{%- for field in service_subscription_fields() -%}
    {%- do subscription_fields.append((field, 'service_subscription_id' if field == 'id' else field)) -%}
{%- endfor -%}
-- noqa: disable=RF01,RF03
-- (RF01/RF03 read struct field access such as subscription.id, and the unnested element, as
-- table qualifiers)
with

logical_subscriptions_history as (
    select * from {{ ref('logical_subscriptions_history_v1') }}
),

service_subscription_records as (
    select * from {{ ref('int_service_subscription_records') }}
),

run_records as (
    {# the logical record's struct joined back to its service records #}
    select
        service_subscription_records.*,
        logical_subscriptions_history.subscription
    from service_subscription_records
    inner join logical_subscriptions_history
        on
            service_subscription_records.logical_subscriptions_history_id
            = logical_subscriptions_history.id
            and coalesce(service_subscription_records.provider_subscription_item_id, '')
            = coalesce(logical_subscriptions_history.subscription.provider_subscription_item_id, '')
),

history_records as (
    select
        service_subscription_id || '-' || {{ format_timestamp_id('valid_from') }} as id,
        valid_from,
        valid_to,
        logical_subscriptions_history_id,
        service_dropped_at,
        service_subscription_id,
        subscription.provider,
        subscription.payment_provider,
        subscription.id as logical_subscription_id,
        subscription.provider_subscription_id,
        subscription.provider_subscription_item_id,
        subscription.provider_subscription_created_at,
        subscription.provider_subscription_updated_at,
        subscription.provider_customer_id,
        subscription.mozilla_account_id,
        subscription.mozilla_account_id_sha256,
        subscription.customer_subscription_number as customer_logical_subscription_number,
        customer_service_subscription_number,
        subscription.country_code,
        subscription.country_name,
        {{ struct_of([
            ('id', 'service_id'), ('name', 'service_name'), ('tier', 'service_tier')
        ]) }} as service,
        {{ struct_array_without('subscription.services', 'id', 'service_id') }} as other_services,
        subscription.provider_product_id,
        subscription.product_name,
        subscription.provider_plan_id,
        subscription.plan_summary,
        subscription.plan_interval,
        subscription.plan_interval_type,
        subscription.plan_interval_count,
        subscription.plan_interval_months,
        subscription.plan_currency,
        subscription.plan_amount,
        subscription.is_bundle,
        subscription.is_trial,
        subscription.is_active,
        subscription.provider_status,
        subscription.started_at as logical_subscription_started_at,
        service_started_at as started_at,
        subscription.ended_at,
        subscription.current_period_started_at,
        subscription.current_period_ends_at,
        subscription.auto_renew,
        subscription.auto_renew_disabled_at,
        initial_discount_name,
        initial_discount_promotion_code,
        subscription.current_period_discount_name,
        subscription.current_period_discount_promotion_code,
        subscription.current_period_discount_amount,
        subscription.ongoing_discount_name,
        subscription.ongoing_discount_promotion_code,
        subscription.ongoing_discount_amount,
        subscription.ongoing_discount_ends_at,
        subscription.has_refunds,
        subscription.has_fraudulent_charges,
        subscription.first_touch_attribution,
        subscription.last_touch_attribution,
        subscription.ended_reason,
        started_reason,
        subscription.payment_method
    from run_records
),

closing_records as (
    {# the run's last record ends before the far future: the logical subscription goes on
       with a plan that no longer grants the service, so the service subscription ends then #}
    select
        * replace (
            service_subscription_id || '-' || {{ format_timestamp_id('valid_to') }} as id,
            valid_to as valid_from,
            {{ max_timestamp() }} as valid_to,
            valid_to as provider_subscription_updated_at,
            false as is_active,
            valid_to as ended_at,
            cast(null as {{ dbt.type_timestamp() }}) as current_period_started_at,
            cast(null as {{ dbt.type_timestamp() }}) as current_period_ends_at,
            'Downgrade' as ended_reason
        )
    from history_records
    where service_dropped_at is not null
),

all_records as (
    select * from history_records
    union all
    select * from closing_records
),

final as (
    select
        id,
        valid_from,
        valid_to,
        logical_subscriptions_history_id,
        {{ struct_of(subscription_fields) }} as subscription
    from all_records
)

select * from final
