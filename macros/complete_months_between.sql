{% macro complete_months_between(start_timestamp, end_timestamp) -%}
    {#- whole calendar months from start to end (negative when end is before start); a month
        counts once the same day-of-month and time is reached (Jan 31 -> Feb 28 is 0). Both
        ends and the shifted start are compared as TIMESTAMPs: BigQuery's dateadd returns a
        DATETIME, which it does not compare with a TIMESTAMP. -#}
    {%- set start_at = 'cast(' ~ start_timestamp ~ ' as ' ~ dbt.type_timestamp() ~ ')' -%}
    {%- set end_at = 'cast(' ~ end_timestamp ~ ' as ' ~ dbt.type_timestamp() ~ ')' -%}
    {%- set shifted_start = 'cast(' ~ dbt.dateadd(
        'month', dbt.datediff(start_at, end_at, 'month'), start_at
    ) ~ ' as ' ~ dbt.type_timestamp() ~ ')' -%}
    (
        {{ dbt.datediff(start_at, end_at, 'month') }}
        - case
            when {{ end_at }} >= {{ start_at }} and {{ shifted_start }} > {{ end_at }} then 1
            when {{ end_at }} < {{ start_at }} and {{ shifted_start }} < {{ end_at }} then -1
            else 0
        end
    )
{%- endmacro %}
