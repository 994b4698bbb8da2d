with

subscriptions_history as (
    select * from {{ source('apple', 'subscriptions_history') }}
),

renamed as (
    select
        cast(original_transaction_id as {{ dbt.type_string() }}) as original_transaction_id,
        cast(valid_from as {{ dbt.type_timestamp() }}) as valid_from,
        cast(valid_to as {{ dbt.type_timestamp() }}) as valid_to,
        lower(cast(mozilla_account_id as {{ dbt.type_string() }})) as mozilla_account_id,
        cast(product_id as {{ dbt.type_string() }}) as product_id,
        upper(cast(storefront as {{ dbt.type_string() }})) as storefront_country_code_3,
        upper(cast(currency as {{ dbt.type_string() }})) as currency,
        cast(price as {{ dbt.type_int() }}) as price_minor_units,
        upper(cast(period as {{ dbt.type_string() }})) as period,
        cast(status as {{ dbt.type_int() }}) as status,
        cast(auto_renew_status as {{ dbt.type_boolean() }}) as is_auto_renew_on,
        cast(is_in_intro_offer_period as {{ dbt.type_boolean() }}) as is_in_intro_offer_period,
        cast(offer_type as {{ dbt.type_int() }}) as offer_type,
        cast(original_purchase_date as {{ dbt.type_timestamp() }}) as original_purchase_at,
        cast(expires_date as {{ dbt.type_timestamp() }}) as expires_at,
        cast(revocation_date as {{ dbt.type_timestamp() }}) as revoked_at,
        cast(expiration_intent as {{ dbt.type_int() }}) as expiration_intent
    from subscriptions_history
),

categorised as (
    select
        *,
        case status
            when 1 then 'active'
            when 2 then 'expired'
            when 3 then 'billing_retry'
            when 4 then 'billing_grace_period'
            when 5 then 'revoked'
        end as status_name,
        {# Apple grants access while active, in billing retry and in the grace period #}
        coalesce(status in (1, 3, 4), false) as is_active,
        case substr(period, length(period), 1)
            when 'D' then 'day'
            when 'W' then 'week'
            when 'M' then 'month'
            when 'Y' then 'year'
        end as plan_interval_type,
        cast(substr(period, 2, length(period) - 2) as {{ dbt.type_int() }}) as plan_interval_count
    from renamed
)

select * from categorised
