{{ config(**daily_incremental_config(day_column='line_date')) }}
{# reconciliation: every landed line counted once per day under its outcome (admitted or why not) #}
with

log_lines as (
    select * from {{ ref('int_fxa_log_lines_classified') }}
),

outcomes as (
    select
        line_date,
        stream,
        coalesce(exclusion_reason, 'admitted') as outcome,
        count(*) as line_count,
        count(distinct user_id) as user_count
    from log_lines
    where
        {{ fxa_day_filter('line_date') }}
        and {{ fxa_line_day_prefilter() }}
    group by line_date, stream, coalesce(exclusion_reason, 'admitted')
)

select * from outcomes
