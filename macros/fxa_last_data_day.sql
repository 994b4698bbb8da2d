{#
    The last day an FxA / Glean rollup reaches, as a SQL date: D (var submission_date) when set,
    else the newest day of any input the daily runs process (FxA log lines landed, Glean events).
    A set-based build then ends on the day the day-by-day runs end, even when one table's own
    source has no rows on the trailing days (the rows carried over those days are still written).
#}
{% macro fxa_last_data_day() -%}
    {%- set day = run_day('submission_date') -%}
    {%- if day is not none -%}
        cast('{{ day }}' as date)
    {%- else -%}
        (
            select max(input_days.last_day)
            from (
                select max(line_date) as last_day
                from {{ ref('fxa_log_line_outcomes_daily_v1') }}
                union all
                select max(submission_date) as last_day
                from {{ ref('int_glean_events') }}
            ) as input_days
        )
    {%- endif -%}
{%- endmacro %}
