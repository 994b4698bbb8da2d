{#- one row per logical subscription version: its initial, current period and ongoing
    discounts (coupon name, promotion code, amount_off / percent_off; the mart turns them into
    amounts with the item's plan) -#}
with

logical_versions as (
    select * from {{ ref('int_stripe_subscriptions_logical_versions') }}
),

invoice_line_items as (
    select * from {{ ref('stg_stripe__invoice_line_items') }}
),

discounts as (
    select * from {{ ref('stg_stripe__discounts') }}
),

coupons as (
    select * from {{ ref('stg_stripe__coupons') }}
),

promotion_codes as (
    select * from {{ ref('stg_stripe__promotion_codes') }}
),

coupon_discounts as (
    {# every discount with its coupon and promotion code #}
    select
        discounts.discount_id,
        discounts.discount_type,
        discounts.subscription_id,
        discounts.customer_id,
        discounts.invoice_id,
        discounts.started_at,
        discounts.ends_at,
        coupons.coupon_name,
        coupons.amount_off_minor_units,
        coupons.percent_off,
        coupons.duration,
        promotion_codes.promotion_code
    from discounts
    inner join coupons
        on discounts.coupon_id = coupons.coupon_id
    left join promotion_codes
        on discounts.promotion_code_id = promotion_codes.promotion_code_id
),

invoice_discounts as (
    {# the discount of an invoice (one per invoice; the first by id if several) #}
    select
        invoice_id,
        coupon_name,
        promotion_code,
        amount_off_minor_units,
        percent_off,
        row_number() over (partition by invoice_id order by discount_id) as discount_rank
    from coupon_discounts
    where invoice_id is not null
),

subscription_periods as (
    {# the subscription's billing periods, as its `subscription` invoice lines record them #}
    select distinct
        subscription_id,
        invoice_id,
        period_started_at,
        period_ends_at
    from invoice_line_items
    where line_type = 'subscription'
),

initial_periods as (
    select
        subscription_id,
        invoice_id,
        row_number() over (
            partition by subscription_id order by period_started_at, invoice_id
        ) as period_rank
    from subscription_periods
),

initial_discounts as (
    select
        initial_periods.subscription_id,
        invoice_discounts.coupon_name,
        invoice_discounts.promotion_code
    from initial_periods
    inner join invoice_discounts
        on
            initial_periods.invoice_id = invoice_discounts.invoice_id
            and invoice_discounts.discount_rank = 1
    where initial_periods.period_rank = 1
),

current_period_discounts as (
    select
        logical_versions.subscription_history_id,
        invoice_discounts.coupon_name,
        invoice_discounts.promotion_code,
        invoice_discounts.amount_off_minor_units,
        invoice_discounts.percent_off,
        row_number() over (
            partition by logical_versions.subscription_history_id
            order by subscription_periods.invoice_id
        ) as period_rank
    from logical_versions
    inner join subscription_periods
        on
            logical_versions.subscription_id = subscription_periods.subscription_id
            and logical_versions.current_period_started_at
            = subscription_periods.period_started_at
            and logical_versions.current_period_ends_at = subscription_periods.period_ends_at
    inner join invoice_discounts
        on
            subscription_periods.invoice_id = invoice_discounts.invoice_id
            and invoice_discounts.discount_rank = 1
),

ongoing_candidates as (
    {# subscription discounts first, then the customer's; forever or ending after the
       current period; started before the version ends; latest start first #}
    select
        logical_versions.subscription_history_id,
        coupon_discounts.coupon_name,
        coupon_discounts.promotion_code,
        coupon_discounts.amount_off_minor_units,
        coupon_discounts.percent_off,
        coupon_discounts.ends_at,
        row_number() over (
            partition by logical_versions.subscription_history_id
            order by
                case when coupon_discounts.discount_type = 'SUBSCRIPTION' then 1 else 2 end asc,
                coupon_discounts.started_at desc,
                coupon_discounts.discount_id asc
        ) as candidate_rank
    from logical_versions
    inner join coupon_discounts
        on
            (
                (
                    coupon_discounts.discount_type = 'SUBSCRIPTION'
                    and logical_versions.subscription_id = coupon_discounts.subscription_id
                )
                or (
                    coupon_discounts.discount_type = 'CUSTOMER'
                    and logical_versions.customer_id = coupon_discounts.customer_id
                )
            )
            and (
                coupon_discounts.started_at is null
                or logical_versions.valid_to > coupon_discounts.started_at
            )
            and (
                coupon_discounts.duration = 'forever'
                or logical_versions.current_period_ends_at < coupon_discounts.ends_at
            )
),

discounted_versions as (
    select
        logical_versions.subscription_history_id,
        initial_discounts.coupon_name as initial_discount_name,
        initial_discounts.promotion_code as initial_discount_promotion_code,
        current_period_discounts.coupon_name as current_period_discount_name,
        current_period_discounts.promotion_code as current_period_discount_promotion_code,
        current_period_discounts.amount_off_minor_units
            as current_period_discount_amount_off_minor_units,
        current_period_discounts.percent_off as current_period_discount_percent_off,
        ongoing_candidates.coupon_name as ongoing_discount_name,
        ongoing_candidates.promotion_code as ongoing_discount_promotion_code,
        ongoing_candidates.amount_off_minor_units as ongoing_discount_amount_off_minor_units,
        ongoing_candidates.percent_off as ongoing_discount_percent_off,
        ongoing_candidates.ends_at as ongoing_discount_ends_at
    from logical_versions
    left join initial_discounts
        on logical_versions.subscription_id = initial_discounts.subscription_id
    left join current_period_discounts
        on
            logical_versions.subscription_history_id
            = current_period_discounts.subscription_history_id
            and current_period_discounts.period_rank = 1
    left join ongoing_candidates
        on
            logical_versions.subscription_history_id = ongoing_candidates.subscription_history_id
            and ongoing_candidates.candidate_rank = 1
)

select * from discounted_versions
