-- sqlfluff:exclude_rules:LT02
{% test input_quarantine_within_thresholds(model, level) %}
    {#
        One failing row per (input class, raw table, rule, day) whose quarantined row count is
        above the rule's `level` threshold (warn or error) in var input_quarantine_thresholds
        (rule -> {warn: n, error: n}; a rule not listed uses `default`; null = not checked).
        Day runs check the days from var subplat_date (else submission_date) to var
        submission_date, plus rows without a day; no date vars: every day. Each failing row
        carries a message; one line per (class, table, rule) is also logged, naming the rule,
        the counts, the first day and a sample key.
    #}
    {%- set thresholds = var('input_quarantine_thresholds', {}) -%}
    {%- set default = thresholds.get('default', {}).get(level) -%}
    {%- set first_day = run_day('subplat_date') or run_day('submission_date') -%}
    {%- set last_day = run_day('submission_date') or run_day('subplat_date') -%}
    {%- set failing_sql -%}
with

limits as (
    select
        *,
        case rule
            {%- for rule, limit in thresholds.items() if rule != 'default' %}
                when '{{ rule }}' then {{ 'null' if limit.get(level) is none
                    else limit.get(level) | int }}
            {%- endfor %}
            else {{ 'null' if default is none else default | int }}
        end as threshold
    from {{ model }}
    {%- if first_day is not none %}
        where
            summary_date is null
            or summary_date between cast('{{ first_day }}' as date)
            and cast('{{ last_day }}' as date)
    {%- endif %}
)

select
    input_class,
    source_table,
    rule,
    summary_date,
    row_count,
    threshold,
    sample_key,
    concat(
        '{{ level }}: ', cast(row_count as {{ dbt.type_string() }}), ' ', input_class, '.',
        source_table, ' rows broke rule ', rule, ' on ',
        coalesce(cast(summary_date as {{ dbt.type_string() }}), 'no day'), ' (threshold ',
        cast(threshold as {{ dbt.type_string() }}), '), e.g. ', sample_key
    ) as message
from limits
where row_count > threshold
    {%- endset -%}
    {%- if execute and flags.WHICH in ['test', 'build'] -%}
        {#- one log line per (class, table, rule): bounded by the number of rules -#}
        {%- set per_rule -%}
            select
                concat(
                    'input quarantine {{ level }}: ', input_class, '.', source_table, ' rule ',
                    rule, ': ', cast(sum(row_count) as {{ dbt.type_string() }}),
                    ' rows on ', cast(count(*) as {{ dbt.type_string() }}),
                    ' day(s) above threshold ', cast(min(threshold) as {{ dbt.type_string() }}),
                    ', first ', coalesce(cast(min(summary_date) as {{ dbt.type_string() }}),
                        'no day'),
                    ', e.g. ', min(sample_key)
                ) as message
            from ({{ failing_sql }}) as failing
            group by input_class, source_table, rule
            order by input_class, source_table, rule
        {%- endset -%}
        {%- for row in run_query(per_rule).rows -%}
            {%- do log(row['message'], info=true) -%}
        {%- endfor -%}
    {%- endif %}
{{ failing_sql }}
{% endtest %}
