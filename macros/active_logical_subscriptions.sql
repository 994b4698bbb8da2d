{% macro active_logical_subscriptions(history_relation, grain, first_period_start, last_period_start) -%}
    {#-
        One row per logical subscription and day (grain 'day') or calendar month (grain 'month')
        it was active at any point, for the periods starting from first_period_start (SQL date;
        none = the first period of the history) to last_period_start (SQL date), inclusive.
        Rule (spec section 5): the history rows overlapping the period (valid_from < period end
        and valid_to > period start) that are active or start inside the period; the group is
        kept when one of them is active; the latest row (by valid_from) gives the state.
        History rows are range-joined to a spine of periods bounded by their own interval.
    -#}
    {%- set period_column = 'date' if grain == 'day' else 'month_start_date' -%}
with

logical_subscriptions_history as (
    select
        id,
        valid_from,
        valid_to,
        subscription
    from {{ history_relation }}
    {%- if first_period_start is not none %}
    where valid_to > cast({{ first_period_start }} as {{ dbt.type_timestamp() }})
    {%- endif %}
),

bounds as (
    {# exactly one row #}
    select
        {% if first_period_start is not none -%}
        {{ first_period_start }} as first_period_start_date,
        {{ last_period_start }} as last_period_start_date
        {%- else -%}
        {{ subplat_period_start('min(valid_from)', grain) }} as first_period_start_date,
        {{ last_period_start }} as last_period_start_date
    from logical_subscriptions_history
    {%- endif %}
),

period_starts as (
    {{ date_series('bounds', 'first_period_start_date', 'last_period_start_date', grain) }}
),

periods as (
    select
        period_start_date,
        cast(period_start_date as {{ dbt.type_timestamp() }}) as period_start_at,
        cast(
            {{ dbt.dateadd(grain, 1, 'period_start_date') }} as {{ dbt.type_timestamp() }}
        ) as period_end_at
    from period_starts
),

overlapping_history as (
    select
        periods.period_start_date,
        periods.period_start_at,
        periods.period_end_at,
        logical_subscriptions_history.id as logical_subscriptions_history_id,
        logical_subscriptions_history.valid_from,
        logical_subscriptions_history.subscription,
        logical_subscriptions_history.subscription.id as subscription_id,
        logical_subscriptions_history.subscription.provider_subscription_item_id
            as provider_subscription_item_id,
        coalesce(logical_subscriptions_history.subscription.is_active, false) as is_active
    from logical_subscriptions_history
    inner join periods
        on
            logical_subscriptions_history.valid_from < periods.period_end_at
            and logical_subscriptions_history.valid_to > periods.period_start_at
    where
        logical_subscriptions_history.subscription.is_active
        or logical_subscriptions_history.valid_from >= periods.period_start_at
),

ranked as (
    select
        *,
        row_number() over (
            partition by subscription_id, period_start_date
            order by valid_from desc, provider_subscription_item_id desc
        ) as latest_rank,
        first_value(
            case when is_active and valid_from <= period_start_at then 1 else 0 end
        ) over (
            partition by subscription_id, period_start_date
            order by valid_from, provider_subscription_item_id
            rows between unbounded preceding and unbounded following
        ) as earliest_active_at_start,
        max(case when is_active then 1 else 0 end) over (
            partition by subscription_id, period_start_date
        ) as any_active
    from overlapping_history
),

final as (
    select
        {% if grain == 'day' -%}
        subscription_id || '-' || cast(period_start_date as {{ dbt.type_string() }}) as id,
        period_start_date as date,
        {%- else -%}
        subscription_id || '-' || substr(cast(period_start_date as {{ dbt.type_string() }}), 1, 7)
            as id,
        period_start_date as month_start_date,
        cast(
            {{ dbt.dateadd('day', -1, dbt.dateadd('month', 1, 'period_start_date')) }} as date
        ) as month_end_date,
    {%- endif %}
        logical_subscriptions_history_id,
        subscription,
        earliest_active_at_start = 1 as was_active_at_{{ grain }}_start,
        is_active as was_active_at_{{ grain }}_end
    from ranked
    where
        latest_rank = 1
        and any_active = 1
)

select * from final
{%- endmacro %}
