{% macro complete_months_between(start_timestamp, end_timestamp) -%}
    {#- whole calendar months from start to end (negative when end is before start); a month
        counts once the same day-of-month and time is reached (Jan 31 -> Feb 28 is 0) -#}
    (
        {{ dbt.datediff(start_timestamp, end_timestamp, 'month') }}
        - case
            when {{ end_timestamp }} >= {{ start_timestamp }}
                and {{ dbt.dateadd(
                    'month',
                    dbt.datediff(start_timestamp, end_timestamp, 'month'),
                    start_timestamp
                ) }} > {{ end_timestamp }}
                then 1
            when {{ end_timestamp }} < {{ start_timestamp }}
                and {{ dbt.dateadd(
                    'month',
                    dbt.datediff(start_timestamp, end_timestamp, 'month'),
                    start_timestamp
                ) }} < {{ end_timestamp }}
                then -1
            else 0
        end
    )
{%- endmacro %}
