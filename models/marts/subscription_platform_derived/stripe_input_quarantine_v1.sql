{#- one row per raw Stripe row the lineage rejects, flags or only partly uses, with the rule
    broken (rules and actions: the model's yml) -#}
with

subscriptions_history_checked as (
    select * from {{ ref('int_stripe_subscriptions_history_checked') }}
),

subscription_items_checked as (
    select * from {{ ref('int_stripe_subscription_items_checked') }}
),

customers as (
    select * from {{ ref('stg_stripe__customers') }}
),

invoices as (
    select * from {{ ref('stg_stripe__invoices') }}
),

charges as (
    select * from {{ ref('stg_stripe__charges') }}
),

rejected_versions as (
    select
        'subscription_history' as source_table,
        concat(
            subscription_id, ' @ ', {{ format_timestamp_id('fivetran_start_at') }},
            case when duplicate_rank > 1 then concat(' #', cast(duplicate_rank as {{
                dbt.type_string() }})) else '' end
        ) as record_key,
        subscription_id,
        cast(fivetran_start_at as date) as record_date,
        rejection_rule as rule,
        'excluded' as outcome,
        case rejection_rule
            when 'duplicate_version' then 'another row has the same (id, _fivetran_start)'
            when 'end_before_start' then '_fivetran_end < _fivetran_start'
            when 'zero_length_version' then '_fivetran_end = _fivetran_start'
            when 'unknown_status' then concat('status ', coalesce(status, 'null'))
            when 'missing_customer'
                then concat('customer ', coalesce(customer_id, 'null'), ' not in customer')
            when 'active_status_ended'
                then concat(
                    'status ', status, ' but ended_at ', {{ format_timestamp_id('ended_at') }},
                    ' is not after _fivetran_start'
                )
        end as detail
    from subscriptions_history_checked
    where rejection_rule is not null
),

unparsable_version_metadata as (
    select
        'subscription_history' as source_table,
        concat(subscription_id, ' @ ', {{ format_timestamp_id('fivetran_start_at') }})
            as record_key,
        subscription_id,
        cast(fivetran_start_at as date) as record_date,
        'unparsable_metadata' as rule,
        'kept_metadata_ignored' as outcome,
        'metadata is not valid JSON; currency override and cancellation reason read as null'
            as detail
    from subscriptions_history_checked
    where not is_metadata_valid and rejection_rule is null
),

rejected_items as (
    select
        'subscription_item' as source_table,
        subscription_item_id as record_key,
        subscription_id,
        cast(created_at as date) as record_date,
        rejection_rule as rule,
        'excluded' as outcome,
        case rejection_rule
            when 'missing_plan' then concat('plan ', coalesce(plan_id, 'null'), ' not in plan')
            when 'missing_product'
                then concat(
                    'product ', coalesce(product_id, 'null'), ' of plan ', plan_id,
                    ' not in product'
                )
            when 'negative_plan_amount'
                then concat(
                    'plan ', plan_id, ' amount ',
                    cast(plan_amount_minor_units as {{ dbt.type_string() }}), ' < 0'
                )
            when 'unknown_plan_currency'
                then concat(
                    'plan ', plan_id, ' currency ', coalesce(plan_currency_code, 'null'),
                    ' has no exchange rate'
                )
            when 'unknown_plan_interval'
                then concat(
                    'plan ', plan_id, ' interval ', coalesce(plan_interval_type, 'null'), ' x ',
                    coalesce(cast(plan_interval_count as {{ dbt.type_string() }}), 'null')
                )
        end as detail
    from subscription_items_checked
    where rejection_rule is not null
),

unmapped_plan_items as (
    select
        'subscription_item' as source_table,
        subscription_item_id as record_key,
        subscription_id,
        cast(created_at as date) as record_date,
        'unmapped_plan' as rule,
        'flagged' as outcome,
        concat('plan ', plan_id, ' not in the service_plans seed; kept without services')
            as detail
    from subscription_items_checked
    where rejection_rule is null and not is_mapped_plan
),

subscribed_customers as (
    select distinct customer_id
    from subscriptions_history_checked
    where rejection_rule is null
),

unparsable_customer_metadata as (
    select
        'customer' as source_table,
        customer_id as record_key,
        cast(null as {{ dbt.type_string() }}) as subscription_id,
        cast(created_at as date) as record_date,
        'unparsable_metadata' as rule,
        'kept_metadata_ignored' as outcome,
        'metadata is not valid JSON; Mozilla account ids read as null' as detail
    from customers
    where not is_metadata_valid
),

customers_without_account_id as (
    select
        'customer' as source_table,
        customers.customer_id as record_key,
        cast(null as {{ dbt.type_string() }}) as subscription_id,
        cast(customers.created_at as date) as record_date,
        'missing_account_id' as rule,
        'flagged' as outcome,
        'metadata has no userid; its subscriptions carry a null Mozilla account id' as detail
    from customers
    inner join subscribed_customers
        on customers.customer_id = subscribed_customers.customer_id
    where customers.is_metadata_valid and customers.mozilla_account_id is null
),

unparsable_invoice_metadata as (
    select
        'invoice' as source_table,
        invoice_id as record_key,
        subscription_id,
        cast(created_at as date) as record_date,
        'unparsable_metadata' as rule,
        'kept_metadata_ignored' as outcome,
        'metadata is not valid JSON; PayPal refund id read as null' as detail
    from invoices
    where not is_metadata_valid
),

known_subscriptions as (
    select distinct subscription_id
    from subscriptions_history_checked
),

orphan_invoices as (
    select
        'invoice' as source_table,
        invoices.invoice_id as record_key,
        invoices.subscription_id,
        cast(invoices.created_at as date) as record_date,
        'orphan_invoice' as rule,
        'excluded' as outcome,
        concat(
            'subscription ', coalesce(invoices.subscription_id, 'null'),
            ' not in subscription_history; refunds on it are not counted'
        ) as detail
    from invoices
    left join known_subscriptions
        on invoices.subscription_id = known_subscriptions.subscription_id
    where known_subscriptions.subscription_id is null
),

orphan_charges as (
    select
        'charge' as source_table,
        charges.charge_id as record_key,
        cast(null as {{ dbt.type_string() }}) as subscription_id,
        cast(charges.created_at as date) as record_date,
        'orphan_charge' as rule,
        'excluded' as outcome,
        concat(
            'invoice ', coalesce(charges.invoice_id, 'null'),
            ' not in invoice; refunds and fraud on it are not counted'
        ) as detail
    from charges
    left join invoices
        on charges.invoice_id = invoices.invoice_id
    where invoices.invoice_id is null
),

quarantined as (
    select * from rejected_versions
    union all
    select * from unparsable_version_metadata
    union all
    select * from rejected_items
    union all
    select * from unmapped_plan_items
    union all
    select * from unparsable_customer_metadata
    union all
    select * from customers_without_account_id
    union all
    select * from unparsable_invoice_metadata
    union all
    select * from orphan_invoices
    union all
    select * from orphan_charges
)

select * from quarantined
