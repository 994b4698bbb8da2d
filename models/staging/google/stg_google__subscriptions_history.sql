with

subscriptions_history as (
    select * from {{ source('google', 'subscriptions_history') }}
),

renamed as (
    select
        cast(purchase_token as {{ dbt.type_string() }}) as purchase_token,
        cast(valid_from as {{ dbt.type_timestamp() }}) as valid_from,
        cast(valid_to as {{ dbt.type_timestamp() }}) as valid_to,
        lower(cast(mozilla_account_id as {{ dbt.type_string() }})) as mozilla_account_id,
        cast(sku as {{ dbt.type_string() }}) as sku,
        upper(cast(country_code as {{ dbt.type_string() }})) as country_code,
        upper(cast(price_currency_code as {{ dbt.type_string() }})) as price_currency_code,
        cast(price_amount_micros as {{ dbt.type_bigint() }}) as price_amount_micros,
        upper(cast(billing_period as {{ dbt.type_string() }})) as billing_period,
        cast(payment_state as {{ dbt.type_int() }}) as payment_state,
        cast(auto_renewing as {{ dbt.type_boolean() }}) as is_auto_renewing,
        cast(start_time as {{ dbt.type_timestamp() }}) as started_at,
        cast(expiry_time as {{ dbt.type_timestamp() }}) as expires_at,
        cast(user_cancellation_time as {{ dbt.type_timestamp() }}) as user_cancelled_at,
        cast(cancel_reason as {{ dbt.type_int() }}) as cancel_reason
    from subscriptions_history
),

categorised as (
    select
        *,
        case payment_state
            when 0 then 'payment_pending'
            when 1 then 'payment_received'
            when 2 then 'free_trial'
            when 3 then 'pending_deferred_upgrade_downgrade'
        end as payment_state_name,
        case cancel_reason
            when 0 then 'user'
            when 1 then 'system'
            when 2 then 'replaced'
            when 3 then 'developer'
        end as cancel_reason_name,
        {# SubPlat cancels Google subscriptions through the developer API only to revoke access #}
        coalesce(cancel_reason = 3, false) as is_revoked,
        case substr(billing_period, length(billing_period), 1)
            when 'D' then 'day'
            when 'W' then 'week'
            when 'M' then 'month'
            when 'Y' then 'year'
        end as plan_interval_type,
        cast(
            substr(billing_period, 2, length(billing_period) - 2) as {{ dbt.type_int() }}
        ) as plan_interval_count
    from renamed
)

select * from categorised
