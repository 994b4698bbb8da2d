{#- one row per raw Google subscription version the lineage flags, with the rule broken (rules
    and actions: the model's yml) -#}
with

subscriptions_history as (
    select * from {{ ref('stg_google__subscriptions_history') }}
),

plan_services as (
    select * from {{ ref('int_logical_plan_services') }}
    where provider = 'Google'
),

checked as (
    select
        subscriptions_history.purchase_token,
        subscriptions_history.valid_from,
        subscriptions_history.sku,
        subscriptions_history.mozilla_account_id is null as is_missing_account_id,
        plan_services.provider_plan_id is null as is_unmapped
    from subscriptions_history
    left join plan_services
        on subscriptions_history.sku = plan_services.provider_plan_id
),

missing_account_id as (
    select
        'subscriptions_history' as source_table,
        concat(purchase_token, ' @ ', {{ format_timestamp_id('valid_from') }})
            as record_key,
        purchase_token as subscription_id,
        cast(valid_from as date) as record_date,
        'missing_account_id' as rule,
        'flagged' as outcome,
        'mozilla_account_id is null; the version is kept without an account' as detail
    from checked
    where is_missing_account_id
),

unmapped as (
    select
        'subscriptions_history' as source_table,
        concat(purchase_token, ' @ ', {{ format_timestamp_id('valid_from') }})
            as record_key,
        purchase_token as subscription_id,
        cast(valid_from as date) as record_date,
        'unmapped_sku' as rule,
        'flagged' as outcome,
        concat(
            'Google SKU ', coalesce(sku, 'null'),
            ' not in the service_plans seed; kept without services'
        ) as detail
    from checked
    where is_unmapped
),

quarantined as (
    select * from missing_account_id
    union all
    select * from unmapped
)

select * from quarantined
