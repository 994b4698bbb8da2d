{#- one row per raw Stripe row the lineage rejects or only partly uses, with the rule broken -#}
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

rejected_versions as (
    select
        'subscription_history' as source_table,
        concat(
            subscription_id, ' @ ', {{ format_timestamp_id('fivetran_start_at') }},
            case when duplicate_rank > 1 then concat(' #', cast(duplicate_rank as {{
                dbt.type_string() }})) else '' end
        ) as record_key,
        subscription_id,
        rejection_rule as rule,
        'excluded' as outcome,
        case rejection_rule
            when 'duplicate_version' then 'another row has the same (id, _fivetran_start)'
            when 'end_before_start' then '_fivetran_end < _fivetran_start'
            when 'zero_length_version' then '_fivetran_end = _fivetran_start'
            when 'unknown_status' then concat('status ', coalesce(status, 'null'))
            when 'missing_customer'
                then concat('customer ', coalesce(customer_id, 'null'), ' not in customer')
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
        rejection_rule as rule,
        'excluded' as outcome,
        case rejection_rule
            when 'missing_plan' then concat('plan ', coalesce(plan_id, 'null'), ' not in plan')
            when 'missing_product'
                then concat(
                    'product ', coalesce(product_id, 'null'), ' of plan ', plan_id,
                    ' not in product'
                )
        end as detail
    from subscription_items_checked
    where rejection_rule is not null
),

unparsable_customer_metadata as (
    select
        'customer' as source_table,
        customer_id as record_key,
        cast(null as {{ dbt.type_string() }}) as subscription_id,
        'unparsable_metadata' as rule,
        'kept_metadata_ignored' as outcome,
        'metadata is not valid JSON; Mozilla account ids read as null' as detail
    from customers
    where not is_metadata_valid
),

unparsable_invoice_metadata as (
    select
        'invoice' as source_table,
        invoice_id as record_key,
        subscription_id,
        'unparsable_metadata' as rule,
        'kept_metadata_ignored' as outcome,
        'metadata is not valid JSON; PayPal refund id read as null' as detail
    from invoices
    where not is_metadata_valid
),

quarantined as (
    select * from rejected_versions
    union all
    select * from unparsable_version_metadata
    union all
    select * from rejected_items
    union all
    select * from unparsable_customer_metadata
    union all
    select * from unparsable_invoice_metadata
)

select * from quarantined
