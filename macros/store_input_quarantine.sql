{#- the app-store input quarantine (Apple or Google): one row per raw subscription version the
    lineage flags, with the rule broken; both stores share the rules, only names differ -#}
{% macro store_input_quarantine(provider, history, subscription_column, plan_column, plan_rule,
        plan_label) -%}
with

subscriptions_history as (
    select * from {{ history }}
),

plan_services as (
    select * from {{ ref('int_logical_plan_services') }}
    where provider = '{{ provider }}'
),

checked as (
    select
        subscriptions_history.{{ subscription_column }} as subscription_id,
        subscriptions_history.valid_from,
        subscriptions_history.{{ plan_column }} as plan_id,
        subscriptions_history.mozilla_account_id is null as is_missing_account_id,
        plan_services.provider_plan_id is null as is_unmapped
    from subscriptions_history
    left join plan_services
        on subscriptions_history.{{ plan_column }} = plan_services.provider_plan_id
),

flagged as (
    select
        subscription_id,
        valid_from,
        'missing_account_id' as rule,
        'mozilla_account_id is null; the version is kept without an account' as detail
    from checked
    where is_missing_account_id
    union all
    select
        subscription_id,
        valid_from,
        '{{ plan_rule }}' as rule,
        concat(
            '{{ plan_label }} ', coalesce(plan_id, 'null'),
            ' not in the service_plans seed; kept without services'
        ) as detail
    from checked
    where is_unmapped
),

quarantined as (
    select
        'subscriptions_history' as source_table,
        concat(subscription_id, ' @ ', {{ format_timestamp_id('valid_from') }}) as record_key,
        subscription_id,
        cast(valid_from as date) as record_date,
        rule,
        'flagged' as outcome,
        detail
    from flagged
)

select * from quarantined
{%- endmacro %}
