{% macro logical_subscription_revenue(source_cte, effective_date, period_last_at) -%}
    {#-
        CTEs and final select of the revenue of daily / monthly active subscriptions
        (docs/subscriptions.md section 7): adds flat columns for the VAT rate and USD exchange rate
        valid on effective_date, the USD amounts, and monthly / annual recurring revenue net of VAT
        and of the 15% app-store fee (and their _usd twins). Expects CTEs vat_rates and
        exchange_rates.
        source_cte: the CTE holding the rows; effective_date: SQL date the rates apply on;
        period_last_at: SQL timestamp of the last instant of the period (ARR counts the current
        period's months from there).
        Money is computed in BigQuery NUMERIC's precision on both engines (`money`): a division
        gives a DOUBLE on DuckDB, and cents rounded from a DOUBLE (5.8249999... for 5.825), or
        gross amounts multiplied from an unrounded monthly amount, differed from BigQuery.
    -#}
    {%- set money = 'numeric(38, 9)' -%}
with_effective_date as (
    select
        *,
        {{ effective_date }} as effective_date,
        {# a TIMESTAMP on every engine (BigQuery's dateadd gives a DATETIME, and LEAST below
           takes no mix of DATETIME and TIMESTAMP) #}
        cast({{ period_last_at }} as {{ dbt.type_timestamp() }}) as period_last_at
    from {{ source_cte }}
),

with_rates as (
    select
        with_effective_date.*,
        vat_rates.vat_rate as country_vat_rate,
        exchange_rates.exchange_rate as plan_currency_usd_exchange_rate
    from with_effective_date
    left join vat_rates
        on
            with_effective_date.subscription.country_code = vat_rates.country_code
            and with_effective_date.effective_date >= vat_rates.valid_from
            and with_effective_date.effective_date < vat_rates.valid_to
    left join exchange_rates
        on
            with_effective_date.subscription.plan_currency = exchange_rates.base_currency
            and exchange_rates.quote_currency = 'USD'
            and with_effective_date.effective_date >= exchange_rates.valid_from
            and with_effective_date.effective_date < exchange_rates.valid_to
),

with_current_period_months as (
    select
        *,
        {# months left in the current period, counting the current month, at most 12; 12 when
           the period end is unknown (coalesce: BigQuery's LEAST returns NULL on a NULL
           argument, DuckDB's skips it) #}
        least(
            coalesce({{ complete_months_between(
                'least(period_last_at, ' ~ dbt.current_timestamp()
                ~ ', subscription.current_period_ends_at)',
                'subscription.current_period_ends_at'
            ) }} + 1, 12),
            12
        ) as current_period_arr_months,
        {# 0 when there is no end (coalesce: BigQuery's GREATEST returns NULL on a NULL
           argument, DuckDB's skips it) #}
        greatest(
            coalesce({{ complete_months_between(
                'subscription.current_period_ends_at',
                dbt.dateadd('microsecond', -1, 'subscription.ongoing_discount_ends_at')
            ) }}, 0),
            0
        ) as months_after_current_period_before_ongoing_discount_ends
    from with_rates
),

with_ongoing_discount_months as (
    select
        *,
        {# the ongoing discount covers whole plan intervals after the current period #}
        case
            when coalesce(subscription.ongoing_discount_amount, 0) = 0 then 0
            when subscription.ongoing_discount_ends_at is null
                then 12 - current_period_arr_months
            else least(
                (
                    cast(
                        floor(
                            months_after_current_period_before_ongoing_discount_ends
                            / subscription.plan_interval_months
                        ) as {{ dbt.type_int() }}
                    ) + 1
                ) * subscription.plan_interval_months,
                12 - current_period_arr_months
            )
        end as ongoing_discount_arr_months
    from with_current_period_months
),

with_gross_revenue as (
    select
        *,
        case
            when subscription.is_active is not true or subscription.is_trial is true then 0
            else cast(greatest(
                subscription.plan_amount
                - coalesce(subscription.current_period_discount_amount, 0),
                0
            ) / subscription.plan_interval_months as {{ money }})
        end as monthly_recurring_gross_revenue,
        case
            when subscription.is_active is not true then 0
            else
                case
                    when subscription.is_trial is true then 0
                    else cast(greatest(
                        subscription.plan_amount
                        - coalesce(subscription.current_period_discount_amount, 0),
                        0
                    ) / subscription.plan_interval_months as {{ money }}) * current_period_arr_months
                end
                + case
                    when
                        subscription.auto_renew is not true
                        or coalesce(subscription.ongoing_discount_amount, 0) = 0
                        then 0
                    else cast(greatest(
                        subscription.plan_amount
                        - coalesce(subscription.ongoing_discount_amount, 0),
                        0
                    ) / subscription.plan_interval_months as {{ money }}) * ongoing_discount_arr_months
                end
                + case
                    when subscription.auto_renew is not true then 0
                    else cast(subscription.plan_amount / subscription.plan_interval_months as {{ money }})
                        * greatest(12 - current_period_arr_months - ongoing_discount_arr_months, 0)
                end
        end as annual_recurring_gross_revenue
    from with_ongoing_discount_months
),

with_revenue as (
    select
        *,
        {# net of VAT, minus the app stores' 15% fee on the gross for Apple and Google; NUMERIC
           like plan_amount, rounded to cents from the NUMERIC value on both engines #}
        cast(round(cast(
            monthly_recurring_gross_revenue / (1 + coalesce(country_vat_rate, 0))
            - case
                when subscription.provider in ('Apple', 'Google')
                    then monthly_recurring_gross_revenue * 0.15
                else 0
            end as {{ money }}),
            2
        ) as {{ dbt.type_numeric() }}) as monthly_recurring_revenue,
        cast(round(cast(
            annual_recurring_gross_revenue / (1 + coalesce(country_vat_rate, 0))
            - case
                when subscription.provider in ('Apple', 'Google')
                    then annual_recurring_gross_revenue * 0.15
                else 0
            end as {{ money }}),
            2
        ) as {{ dbt.type_numeric() }}) as annual_recurring_revenue
    from with_gross_revenue
),

final as (
    select
        *,
        {%- for field, expression in [
            ('plan_amount_usd', 'subscription.plan_amount'),
            ('current_period_discount_amount_usd', 'subscription.current_period_discount_amount'),
            ('ongoing_discount_amount_usd', 'subscription.ongoing_discount_amount'),
            ('monthly_recurring_revenue_usd', 'monthly_recurring_revenue'),
            ('annual_recurring_revenue_usd', 'annual_recurring_revenue'),
        ] %}
        case
            when subscription.plan_currency = 'USD' then {{ expression }}
            else round({{ expression }} * plan_currency_usd_exchange_rate, 2)
        end as {{ field }}{{ ',' if not loop.last }}
    {%- endfor %}
    from with_revenue
)

select * from final
{%- endmacro %}
