{{ config(tags=['subplat', 'reconciliation']) }}
{#-
    Reconciliation (docs/subscriptions.md section 5): the user-facing views
    subscription_platform.daily_/monthly_active_logical_subscriptions hold exactly the rows of
    the _v1 table before the recent window and the rows of the recent_ twin inside it: no row
    lost, duplicated or taken from the wrong side. The recent window starts at the twin's first
    period (not at subplat_date + 1): a DAG run for an older day (backfill) passes a
    subplat_date that is not the last processed day, and the views do not depend on that var. Compared on id, history record and the two activity flags, counted on both sides.
    A failing row carries the view, the row id and which side it is missing from.
-#}
{%- set grains = [
    ('daily_active_logical_subscriptions', 'day', 'date'),
    ('monthly_active_logical_subscriptions', 'month', 'month_start_date'),
] -%}
with

{% for view_name, grain, period_column in grains %}
    expected_{{ grain }} as (
        select
            id,
            logical_subscriptions_history_id,
            was_active_at_{{ grain }}_start as was_active_at_start,
            was_active_at_{{ grain }}_end as was_active_at_end
        from {{ ref(view_name ~ '_v1') }}
        where
            {{ period_column }} < (
                select coalesce(min(recent_rows.{{ period_column }}), cast('9999-12-31' as date))
                from {{ ref('recent_' ~ view_name ~ '_v1') }} as recent_rows
            )
        union all
        select
            id,
            logical_subscriptions_history_id,
            was_active_at_{{ grain }}_start as was_active_at_start,
            was_active_at_{{ grain }}_end as was_active_at_end
        from {{ ref('recent_' ~ view_name ~ '_v1') }}
    ),

    actual_{{ grain }} as (
        select
            id,
            logical_subscriptions_history_id,
            was_active_at_{{ grain }}_start as was_active_at_start,
            was_active_at_{{ grain }}_end as was_active_at_end
        from {{ ref(view_name) }}
    ),

    {% for side in ['expected', 'actual'] %}
        {{ side }}_{{ grain }}_counts as (
            {# rows counted per distinct value (a duplicate shows as a count difference) #}
            select
                id,
                logical_subscriptions_history_id,
                was_active_at_start,
                was_active_at_end,
                count(*) as row_count
            from {{ side }}_{{ grain }}
            group by
                id,
                logical_subscriptions_history_id,
                was_active_at_start,
                was_active_at_end
        ),

    {% endfor %}
    compared_{{ grain }} as (
        select
            '{{ view_name }}' as view_name,
            coalesce(expected_counts.id, actual_counts.id) as id,
            coalesce(expected_counts.row_count, 0) as expected_count,
            coalesce(actual_counts.row_count, 0) as actual_count
        from expected_{{ grain }}_counts as expected_counts
        full outer join actual_{{ grain }}_counts as actual_counts
            on
                expected_counts.id = actual_counts.id
                and expected_counts.logical_subscriptions_history_id
                = actual_counts.logical_subscriptions_history_id
                and expected_counts.was_active_at_start = actual_counts.was_active_at_start
                and expected_counts.was_active_at_end = actual_counts.was_active_at_end
    ),

{% endfor %}
failures as (
    select
        view_name,
        id,
        case
            when actual_count < expected_count then 'missing from the view'
            else 'in the view but not (or not as often) in the table or its recent twin'
        end as failed_rule
    from compared_day
    where expected_count != actual_count
    union all
    select
        view_name,
        id,
        case
            when actual_count < expected_count then 'missing from the view'
            else 'in the view but not (or not as often) in the table or its recent twin'
        end as failed_rule
    from compared_month
    where expected_count != actual_count
)

select * from failures
