{{ config(tags=['subplat', 'reconciliation']) }}
{#-
    Reconciliation (issue 3, docs/subscriptions.md section 5): in the daily and monthly tables and
    their recent_ twins, was_active_at_<period>_start is true exactly when an active
    logical_subscriptions_history_v1 record of the subscription covers the period's first
    instant, and was_active_at_<period>_end exactly when one covers its last instant; the
    `subscription` state is the end state (subscription.is_active = was_active_at_<period>_end).
    A failing row carries the table, key and rule broken.
-#}
{%- set tables = [
    ('daily_active_logical_subscriptions_v1', 'day', 'date'),
    ('recent_daily_active_logical_subscriptions_v1', 'day', 'date'),
    ('monthly_active_logical_subscriptions_v1', 'month', 'month_start_date'),
    ('recent_monthly_active_logical_subscriptions_v1', 'month', 'month_start_date'),
] -%}
-- noqa: disable=RF03
with

history as (
    select
        subscription.id as subscription_id,
        valid_from,
        valid_to,
        coalesce(subscription.is_active, false) as is_active
    from {{ ref('logical_subscriptions_history_v1') }}
),

period_rows as (
    {%- for table_name, grain, period_column in tables %}
        select
            '{{ table_name }}' as table_name,
            id,
            subscription.id as subscription_id,
            cast({{ period_column }} as {{ dbt.type_timestamp() }}) as period_start_at,
            cast(
                {{ dbt.dateadd(grain, 1, period_column) }} as {{ dbt.type_timestamp() }}
            ) as period_end_at,
            was_active_at_{{ grain }}_start as was_active_at_start,
            was_active_at_{{ grain }}_end as was_active_at_end,
            subscription.is_active as state_is_active
        from {{ ref(table_name) }}
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

expected as (
    select
        period_rows.table_name,
        period_rows.id,
        period_rows.was_active_at_start,
        period_rows.was_active_at_end,
        period_rows.state_is_active,
        max(
            case
                when
                    history.is_active
                    and history.valid_from <= period_rows.period_start_at
                    and history.valid_to > period_rows.period_start_at
                    then 1
                else 0
            end
        ) = 1 as active_at_start,
        max(
            case
                when
                    history.is_active
                    and history.valid_from < period_rows.period_end_at
                    and history.valid_to >= period_rows.period_end_at
                    then 1
                else 0
            end
        ) = 1 as active_at_end
    from period_rows
    left join history
        on
            period_rows.subscription_id = history.subscription_id
            and period_rows.period_end_at >= history.valid_from
            and period_rows.period_start_at <= history.valid_to
    group by
        period_rows.table_name,
        period_rows.id,
        period_rows.was_active_at_start,
        period_rows.was_active_at_end,
        period_rows.state_is_active
),

failures as (
    select
        table_name,
        id,
        case
            when was_active_at_start is null or was_active_at_start != active_at_start
                then 'was_active_at_start differs from the history at the period start'
            when was_active_at_end is null or was_active_at_end != active_at_end
                then 'was_active_at_end differs from the history at the period end'
            else 'subscription.is_active differs from was_active_at_end'
        end as failed_rule
    from expected
    where
        was_active_at_start is null
        or was_active_at_start != active_at_start
        or was_active_at_end is null
        or was_active_at_end != active_at_end
        or state_is_active is distinct from was_active_at_end
)

select * from failures
