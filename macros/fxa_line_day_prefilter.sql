{#
    A redundant predicate that lets a line_date day filter reach the raw log scan. line_date is
    coalesce(submission_date, ingest_date), so line_date = D implies submission_date = D or
    submission_date is null; int_fxa_log_lines_classified partitions its dedupe window by
    submission_date, so this predicate (unlike one on line_date) is pushed below the window.
    Day mode only; renders true otherwise (full refresh, set-based runs).
#}
{% macro fxa_line_day_prefilter(column='submission_date') -%}
    {%- if not fxa_is_day_mode() -%}
    (1 = 1)
    {%- else -%}
        ({{ column }} = cast('{{ run_day("submission_date") }}' as date) or {{ column }} is null)
    {%- endif -%}
{%- endmacro %}
