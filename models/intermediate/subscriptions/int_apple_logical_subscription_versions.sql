{#
    One row per version of an Apple logical subscription: an App Store subscription from the
    moment it is active (status 1, 3 or 4) until it is active again after a lapse, which starts
    a new logical subscription (a resubscription on the same original transaction).
#}
with

subscriptions_history as (
    select * from {{ ref('stg_apple__subscriptions_history') }}
),

country_codes as (
    select * from {{ ref('country_codes') }}
),

plan_services as (
    select * from {{ ref('int_logical_plan_services') }}
    where provider = 'Apple'
),

non_empty_versions as (
    {# zero-length versions carry no state (as Mozilla ignores them) #}
    select * from subscriptions_history
    where valid_to > valid_from
),

activity_flagged as (
    select
        *,
        case
            when
                is_active
                and coalesce(
                    lag(is_active) over (
                        partition by original_transaction_id order by valid_from
                    ),
                    false
                ) = false
                then 1
            else 0
        end as is_logical_start
    from non_empty_versions
),

numbered as (
    select
        *,
        sum(is_logical_start) over (
            partition by original_transaction_id
            order by valid_from
            rows between unbounded preceding and current row
        ) as logical_number
    from activity_flagged
),

logical_versions as (
    {# versions before the first activation are not part of any logical subscription #}
    select
        *,
        min(valid_from) over (
            partition by original_transaction_id, logical_number
        ) as logical_started_at,
        coalesce(
            lead(valid_from) over (
                partition by original_transaction_id, logical_number order by valid_from
            ),
            {{ max_timestamp() }}
        ) as logical_valid_to,
        case
            when
                not is_auto_renew_on
                and coalesce(
                    lag(is_auto_renew_on) over (
                        partition by original_transaction_id, logical_number
                        order by valid_from
                    ),
                    true
                )
                then valid_from
        end as auto_renew_switched_off_at,
        case when revoked_at is not null then 1 else 0 end as is_revoked_version
    from numbered
    where logical_number > 0
),

states as (
    select
        *,
        max(auto_renew_switched_off_at) over (
            partition by original_transaction_id, logical_number
            order by valid_from
            rows between unbounded preceding and current row
        ) as latest_auto_renew_switched_off_at,
        max(is_revoked_version) over (
            partition by original_transaction_id, logical_number
            order by valid_from
            rows between unbounded preceding and current row
        ) as has_revoked_version,
        {# ended when the first inactive version starts (billing retry does not extend the
           expires date), or at the revocation if that came first #}
        case
            when not is_active
                then min(
                    case
                        when not is_active
                            then least(coalesce(revoked_at, valid_from), valid_from)
                    end
                ) over (
                    partition by original_transaction_id, logical_number
                    order by valid_from
                    rows between unbounded preceding and current row
                )
        end as version_ended_at
    from logical_versions
),

final as (
    select
        'Apple-' || states.original_transaction_id
        || '-' || {{ format_timestamp_id('states.logical_started_at') }}
        || '-' || {{ format_timestamp_id('states.valid_from') }} as id,
        states.valid_from,
        states.logical_valid_to as valid_to,
        states.original_transaction_id
        || '-' || {{ format_timestamp_id('states.valid_from') }}
            as provider_subscriptions_history_id,
        'Apple-' || states.original_transaction_id
        || '-' || {{ format_timestamp_id('states.logical_started_at') }} as subscription_id,
        'Apple' as provider,
        'Apple' as payment_provider,
        states.original_transaction_id as provider_subscription_id,
        cast(null as {{ dbt.type_string() }}) as provider_subscription_item_id,
        states.original_purchase_at as provider_subscription_created_at,
        cast(null as {{ dbt.type_string() }}) as provider_customer_id,
        states.mozilla_account_id,
        case
            when states.mozilla_account_id is not null
                then {{ sha256_hex('states.mozilla_account_id') }}
        end as mozilla_account_id_sha256,
        cast(country_codes.code as {{ dbt.type_string() }}) as country_code,
        plan_services.services,
        {# the input carries no App Store bundle id #}
        cast(null as {{ dbt.type_string() }}) as provider_product_id,
        plan_services.service_names as product_name,
        states.product_id as provider_plan_id,
        states.plan_interval_type,
        states.plan_interval_count,
        states.currency as plan_currency,
        cast(
            cast(states.price_minor_units as {{ dbt.type_numeric() }}) / 100
            as {{ dbt.type_numeric() }}
        ) as plan_amount,
        coalesce(plan_services.is_bundle, false) as is_bundle,
        states.is_active and coalesce(states.is_in_intro_offer_period, false) as is_trial,
        states.is_active,
        states.status_name as provider_status,
        states.logical_started_at as started_at,
        states.version_ended_at as ended_at,
        case
            when states.version_ended_at is null then null
            when states.expiration_intent = 1 then 'Customer Initiated'
            when states.expiration_intent = 2 then 'Payment Failure'
            else 'Other'
        end as ended_reason,
        case
            when states.is_active and states.plan_interval_type = 'year'
                then cast(
                    {{ dbt.dateadd(
                        'year', '-1 * states.plan_interval_count', 'states.expires_at'
                    ) }}
                    as {{ dbt.type_timestamp() }}
                )
            when states.is_active and states.plan_interval_type = 'month'
                then cast(
                    {{ dbt.dateadd(
                        'month', '-1 * states.plan_interval_count', 'states.expires_at'
                    ) }}
                    as {{ dbt.type_timestamp() }}
                )
            when states.is_active and states.plan_interval_type = 'week'
                then cast(
                    {{ dbt.dateadd('day', '-7 * states.plan_interval_count', 'states.expires_at') }}
                    as {{ dbt.type_timestamp() }}
                )
            when states.is_active and states.plan_interval_type = 'day'
                then cast(
                    {{ dbt.dateadd('day', '-1 * states.plan_interval_count', 'states.expires_at') }}
                    as {{ dbt.type_timestamp() }}
                )
        end as current_period_started_at,
        case when states.is_active then states.expires_at end as current_period_ends_at,
        states.is_auto_renew_on as auto_renew,
        case
            when not states.is_auto_renew_on then states.latest_auto_renew_switched_off_at
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
        {# an App Store revocation is a refund #}
        states.has_revoked_version = 1 as has_refunds,
        cast(null as {{ dbt.type_boolean() }}) as has_fraudulent_charges,
        'Apple In-App Purchase' as payment_method
    from states
    left join country_codes
        on states.storefront_country_code_3 = country_codes.code_3
    left join plan_services
        on states.product_id = plan_services.provider_plan_id
)

select * from final
