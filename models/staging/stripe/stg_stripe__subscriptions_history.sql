{#- one row per raw subscription_history row (bad rows included; the intermediate chain rejects
    them into the quarantine with a reason) -#}
with

subscription_history as (
    {{ select_source_contract('stripe', 'subscription_history') }}
),

renamed as (
    select
        cast(id as {{ dbt.type_string() }}) as subscription_id,
        cast(_fivetran_start as {{ dbt.type_timestamp() }}) as fivetran_start_at,
        cast(_fivetran_end as {{ dbt.type_timestamp() }}) as fivetran_end_at,
        cast(_fivetran_active as {{ dbt.type_boolean() }}) as is_fivetran_active,
        cast(customer_id as {{ dbt.type_string() }}) as customer_id,
        lower(cast(status as {{ dbt.type_string() }})) as status,
        cast(created as {{ dbt.type_timestamp() }}) as created_at,
        cast(start_date as {{ dbt.type_timestamp() }}) as start_date_at,
        cast(current_period_start as {{ dbt.type_timestamp() }}) as current_period_started_at,
        cast(current_period_end as {{ dbt.type_timestamp() }}) as current_period_ends_at,
        cast(cancel_at_period_end as {{ dbt.type_boolean() }}) as is_cancel_at_period_end,
        cast(canceled_at as {{ dbt.type_timestamp() }}) as canceled_at,
        cast(ended_at as {{ dbt.type_timestamp() }}) as ended_at,
        cast(trial_start as {{ dbt.type_timestamp() }}) as trial_started_at,
        cast(trial_end as {{ dbt.type_timestamp() }}) as trial_ends_at,
        cast(collection_method as {{ dbt.type_string() }}) as collection_method,
        cast(latest_invoice_id as {{ dbt.type_string() }}) as latest_invoice_id,
        cast(default_payment_method_id as {{ dbt.type_string() }}) as default_payment_method_id,
        nullif(trim(cast(metadata as {{ dbt.type_string() }})), '') as metadata,
        cast(cancellation_details_reason as {{ dbt.type_string() }})
            as cancellation_details_reason
    from subscription_history
),

categorised as (
    select
        concat(subscription_id, '-', {{ format_timestamp_id('fivetran_start_at') }})
            as subscription_history_id,
        subscription_id,
        fivetran_start_at,
        fivetran_end_at,
        is_fivetran_active,
        customer_id,
        status,
        {# SubPlat's active statuses (fxa-shared subscriptions/stripe.ts) #}
        coalesce(status in ('active', 'past_due', 'trialing'), false) as is_active_status,
        coalesce(
            status in (
                'incomplete', 'incomplete_expired', 'trialing', 'active', 'past_due',
                'canceled', 'unpaid', 'paused'
            ),
            false
        ) as is_known_status,
        created_at,
        start_date_at,
        current_period_started_at,
        current_period_ends_at,
        coalesce(is_cancel_at_period_end, false) as is_cancel_at_period_end,
        canceled_at,
        ended_at,
        trial_started_at,
        trial_ends_at,
        collection_method,
        coalesce(collection_method = 'send_invoice', false) as is_paypal,
        latest_invoice_id,
        default_payment_method_id,
        metadata,
        (metadata is null or {{ is_valid_json('metadata') }}) as is_metadata_valid,
        upper(nullif(trim({{ json_value('metadata', 'currency') }}), '')) as metadata_currency,
        {{ try_cast(json_value('metadata', 'amount'), dbt.type_bigint()) }}
            as metadata_amount_minor_units,
        nullif(trim({{ json_value('metadata', 'cancellation_reason') }}), '')
            as metadata_cancellation_reason,
        nullif(trim(cancellation_details_reason), '') as cancellation_details_reason,
        {# 1 for the copy of a duplicated (id, _fivetran_start) key that the history keeps #}
        row_number() over (
            partition by subscription_id, fivetran_start_at
            order by
                fivetran_end_at desc,
                is_fivetran_active desc,
                status asc,
                customer_id asc,
                metadata asc
        ) as duplicate_rank
    from renamed
)

select * from categorised
