{#-
    The body of the four int_<family>_<daily|monthly>_active_subscriptions_revenue models: the
    active rows of `<daily|monthly>_active_<family>_subscriptions_v1` before its recent window
    and of its recent_ twin inside it (docs/subscriptions.md section 5), with the flat revenue
    columns of logical_subscription_revenue (section 7), evaluated at the end of the day, or of
    the month (the month so far for one still running).
-#}
{% macro active_subscriptions_with_revenue(family, grain) -%}
    {%- if family not in ('logical', 'service') or grain not in ('day', 'month') -%}
        {{ exceptions.raise_compiler_error(
            "active_subscriptions_with_revenue(): family logical|service, grain day|month") }}
    {%- endif -%}
    {%- set prefix = 'daily' if grain == 'day' else 'monthly' -%}
    {%- set period = 'date' if grain == 'day' else 'month_start_date' -%}
    {%- set period_end = 'date' if grain == 'day' else 'month_end_date' -%}
with

active_rows as (
    select * from {{ ref(prefix ~ '_active_' ~ family ~ '_subscriptions_v1') }}
),

recent_active_rows as (
    select * from {{ ref('recent_' ~ prefix ~ '_active_' ~ family ~ '_subscriptions_v1') }}
),

vat_rates as (
    select * from {{ ref('vat_rates') }}
),

exchange_rates as (
    select * from {{ ref('exchange_rates') }}
),

period_subscriptions as (
    {# the table before the recent window, the recent twin inside it #}
    select * from active_rows
    where
        {{ period }} < (
            select coalesce(min(recent_rows.{{ period }}), cast('9999-12-31' as date))
            from recent_active_rows as recent_rows
        )
    union all
    select * from recent_active_rows
),

{{ logical_subscription_revenue(
    'period_subscriptions',
    'date' if grain == 'day' else
    'coalesce(cast(subscription.ended_at as date), least(month_end_date, '
    ~ 'cast(' ~ dbt.current_timestamp() ~ ' as date)))',
    dbt.dateadd(
        'microsecond', -1,
        'cast(' ~ dbt.dateadd('day', 1, period_end) ~ ' as ' ~ dbt.type_timestamp() ~ ')'
    ),
) }}
{%- endmacro %}
