{% macro active_logical_subscriptions(
    history_relation,
    grain,
    first_period_start,
    last_period_start,
    history_id_column='logical_subscriptions_history_id',
    service_id_column=false
) -%}
    {#-
        One row per (logical or service) subscription and day (grain 'day') or calendar month (grain 'month')
        it was active at any point, for the periods starting from first_period_start (SQL date;
        none = the first period of the history) to last_period_start (SQL date), inclusive.
        Rule (docs/subscriptions.md section 5): the history rows overlapping the period (valid_from
        < period end and valid_to > period start) that are active or start inside the period; the
        group is kept when one of them is active; the latest row (by valid_from) gives the state.
        History rows are range-joined to a spine of periods bounded by their own interval.
        Performance: only narrow columns (keys, interval, is_active) go through the range join
        and the window; the wide subscription struct is joined back once per output row, on
        the history row's key (id + provider_subscription_item_id: a multi-item Stripe
        subscription has one history row per item with the same id). One window ordering
        (latest first) computes the latest row, the earliest row's state and any-active.
        The narrow scan and the join back each read the relation itself (no shared CTE): a CTE
        used twice is materialised with the struct of every row, which cost a one-month run
        of the monthly actives about 40% of its SQL time at scale 100 (issue 15).
    -#}
with

narrow_history as (
    select
        id as history_id,
        valid_from,
        valid_to,
        subscription.id as subscription_id,
        subscription.provider_subscription_item_id as provider_subscription_item_id,
        coalesce(subscription.is_active, false) as is_active
    from {{ history_relation }}
    {%- if first_period_start is not none %}
    where valid_to > cast({{ first_period_start }} as {{ dbt.type_timestamp() }})
    {%- endif %}
),

logical_subscriptions_history as (
    select
        id,
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
    from narrow_history
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
        narrow_history.history_id,
        narrow_history.subscription_id,
        narrow_history.provider_subscription_item_id,
        narrow_history.is_active,
        narrow_history.valid_from,
        narrow_history.is_active
        and narrow_history.valid_from <= periods.period_start_at as is_active_at_start
    from narrow_history
    inner join periods
        on
            narrow_history.valid_from < periods.period_end_at
            and narrow_history.valid_to > periods.period_start_at
    where
        narrow_history.is_active
        or narrow_history.valid_from >= periods.period_start_at
),

ranked as (
    select
        period_start_date,
        history_id,
        provider_subscription_item_id,
        is_active,
        row_number() over latest_first as latest_rank,
        last_value(case when is_active_at_start then 1 else 0 end) over (
            latest_first
            rows between unbounded preceding and unbounded following
        ) as earliest_active_at_start,
        max(case when is_active then 1 else 0 end) over (
            latest_first
            rows between unbounded preceding and unbounded following
        ) as any_active
    from overlapping_history
    window latest_first as (
        partition by subscription_id, period_start_date
        order by valid_from desc, provider_subscription_item_id desc
    )
),

latest as (
    select
        period_start_date,
        history_id,
        provider_subscription_item_id,
        is_active,
        earliest_active_at_start
    from ranked
    where
        latest_rank = 1
        and any_active = 1
),

final as (
    select
        {% if grain == 'day' -%}
        logical_subscriptions_history.subscription.id || '-'
        || cast(latest.period_start_date as {{ dbt.type_string() }}) as id,
        latest.period_start_date as date,
        {%- else -%}
        logical_subscriptions_history.subscription.id || '-'
        || substr(cast(latest.period_start_date as {{ dbt.type_string() }}), 1, 7) as id,
        latest.period_start_date as month_start_date,
        cast(
            {{ dbt.dateadd('day', -1, dbt.dateadd('month', 1, 'latest.period_start_date')) }}
            as date
        ) as month_end_date,
    {%- endif %}
    {%- if service_id_column %}
        logical_subscriptions_history.subscription.service.id as service_id,
    {%- endif %}
        latest.history_id as {{ history_id_column }},
        logical_subscriptions_history.subscription,
        latest.earliest_active_at_start = 1 as was_active_at_{{ grain }}_start,
        latest.is_active as was_active_at_{{ grain }}_end
    from latest
    inner join logical_subscriptions_history
        on
            latest.history_id = logical_subscriptions_history.id
            and coalesce(latest.provider_subscription_item_id, '')
            = coalesce(logical_subscriptions_history.subscription.provider_subscription_item_id, '')
)

select * from final
{%- endmacro %}
