{#
    One row per version of a Google logical subscription: a Play subscription from the moment
    it is active (expiry in the future at the version's time and not revoked) until it is active
    again after a lapse (a new logical subscription). A version during which the expiry time
    passes is split at the expiry time, so the lapse is visible without a new notification.
#}
with

subscriptions_history as (
    select * from {{ ref('stg_google__subscriptions_history') }}
),

plan_services as (
    select * from {{ ref('int_logical_plan_services') }}
    where provider = 'Google'
),

non_empty_versions as (
    {# zero-length versions carry no state (as Mozilla ignores them) #}
    select * from subscriptions_history
    where valid_to > valid_from
),

segments as (
    select
        non_empty_versions.*,
        non_empty_versions.valid_from as segment_from,
        case
            when expires_at > valid_from and expires_at < valid_to then expires_at
            else valid_to
        end as segment_to
    from non_empty_versions
    union all
    {# the part of a version after its expiry time passed #}
    select
        non_empty_versions.*,
        non_empty_versions.expires_at as segment_from,
        non_empty_versions.valid_to as segment_to
    from non_empty_versions
    where expires_at > valid_from and expires_at < valid_to
),

activity_flagged as (
    select
        *,
        expires_at > segment_from and not is_revoked as is_active,
        case
            when
                expires_at > segment_from
                and not is_revoked
                and coalesce(
                    lag(expires_at > segment_from and not is_revoked) over (
                        partition by purchase_token order by segment_from
                    ),
                    false
                ) = false
                then 1
            else 0
        end as is_logical_start
    from segments
),

numbered as (
    select
        *,
        sum(is_logical_start) over (
            partition by purchase_token
            order by segment_from
            rows between unbounded preceding and current row
        ) as logical_number
    from activity_flagged
),

logical_versions as (
    {# versions before the first activation are not part of any logical subscription #}
    select
        *,
        min(segment_from) over (
            partition by purchase_token, logical_number
        ) as logical_started_at,
        coalesce(
            lead(segment_from) over (
                partition by purchase_token, logical_number order by segment_from
            ),
            {{ max_timestamp() }}
        ) as logical_valid_to,
        case
            when
                not is_auto_renewing
                and coalesce(
                    lag(is_auto_renewing) over (
                        partition by purchase_token, logical_number order by segment_from
                    ),
                    true
                )
                then coalesce(user_cancelled_at, segment_from)
        end as auto_renew_switched_off_at
    from numbered
    where logical_number > 0
),

states as (
    select
        *,
        max(auto_renew_switched_off_at) over (
            partition by purchase_token, logical_number
            order by segment_from
            rows between unbounded preceding and current row
        ) as latest_auto_renew_switched_off_at,
        case
            when not is_active then least(expires_at, segment_from)
        end as version_ended_at
    from logical_versions
),

final as (
    select
        'Google-' || states.purchase_token
        || '-' || {{ format_timestamp_id('states.logical_started_at') }}
        || '-' || {{ format_timestamp_id('states.segment_from') }} as id,
        states.segment_from as valid_from,
        states.logical_valid_to as valid_to,
        states.purchase_token
        || '-' || {{ format_timestamp_id('states.valid_from') }}
            as provider_subscriptions_history_id,
        'Google-' || states.purchase_token
        || '-' || {{ format_timestamp_id('states.logical_started_at') }} as subscription_id,
        'Google' as provider,
        'Google' as payment_provider,
        states.purchase_token as provider_subscription_id,
        cast(null as {{ dbt.type_string() }}) as provider_subscription_item_id,
        states.started_at as provider_subscription_created_at,
        cast(null as {{ dbt.type_string() }}) as provider_customer_id,
        states.mozilla_account_id,
        case
            when states.mozilla_account_id is not null
                then {{ sha256_hex('states.mozilla_account_id') }}
        end as mozilla_account_id_sha256,
        states.country_code,
        plan_services.services,
        {# the input carries no Play package name #}
        cast(null as {{ dbt.type_string() }}) as provider_product_id,
        plan_services.service_names as product_name,
        states.sku as provider_plan_id,
        states.plan_interval_type,
        states.plan_interval_count,
        states.price_currency_code as plan_currency,
        cast(
            cast(states.price_amount_micros as {{ dbt.type_numeric() }}) / 1000000
            as {{ dbt.type_numeric() }}
        ) as plan_amount,
        coalesce(plan_services.is_bundle, false) as is_bundle,
        states.is_active and states.payment_state = 2 as is_trial,
        states.is_active,
        case
            when states.is_active then states.payment_state_name
            when states.is_revoked then 'revoked'
            else 'expired'
        end as provider_status,
        states.logical_started_at as started_at,
        states.version_ended_at as ended_at,
        case
            when states.version_ended_at is null then null
            when states.cancel_reason = 0 then 'Customer Initiated'
            when states.cancel_reason = 1 then 'Payment Failure'
            {# expired on hold: the renewal payment never arrived #}
            when states.cancel_reason is null and states.payment_state = 0 then 'Payment Failure'
            when states.cancel_reason = 3 then 'Admin Initiated'
            else 'Other'
        end as ended_reason,
        {# Google does not report when the current period started #}
        cast(null as {{ dbt.type_timestamp() }}) as current_period_started_at,
        case when states.is_active then states.expires_at end as current_period_ends_at,
        states.is_auto_renewing as auto_renew,
        case
            when not states.is_auto_renewing then states.latest_auto_renew_switched_off_at
        end as auto_renew_disabled_at,
        cast(null as {{ dbt.type_string() }}) as initial_discount_name,
        cast(null as {{ dbt.type_string() }}) as initial_discount_promotion_code,
        cast(null as {{ dbt.type_string() }}) as current_period_discount_name,
        cast(null as {{ dbt.type_string() }}) as current_period_discount_promotion_code,
        cast(null as {{ dbt.type_numeric() }}) as current_period_discount_amount,
        cast(null as {{ dbt.type_string() }}) as ongoing_discount_name,
        cast(null as {{ dbt.type_string() }}) as ongoing_discount_promotion_code,
        cast(null as {{ dbt.type_numeric() }}) as ongoing_discount_amount,
        cast(null as {{ dbt.type_timestamp() }}) as ongoing_discount_ends_at,
        cast(null as {{ dbt.type_boolean() }}) as has_refunds,
        cast(null as {{ dbt.type_boolean() }}) as has_fraudulent_charges,
        'Google Play' as payment_method
    from states
    left join plan_services
        on states.sku = plan_services.provider_plan_id
)

select * from final
