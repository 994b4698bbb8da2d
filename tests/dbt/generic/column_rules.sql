{% test column_rules(
    model,
    not_null=[],
    unique=[],
    accepted_values={},
    unique_combinations=[],
    expressions=[],
    relationships=[],
    valid_history_intervals=[],
    min_rows=none
) %}
{#-
    Several rules of one model checked in one scan (issue 15: one query per model instead of one
    per column and rule). A failing row names what broke: rule_subject (the column, the key
    columns or the expression), rule_name and failing_rows (how many rows break it; for a key,
    how many rows repeat the key of another row).
    not_null: [column, ...]; unique: [column, ...] (nulls ignored, like dbt's unique);
    accepted_values: {column: [value, ...]} or {column: {values: [...], quote: false}} (nulls
    pass, like dbt's accepted_values); unique_combinations: [[column, ...], ...] (nulls form a
    combination too, as in GROUP BY); expressions: [sql, ...] or
    [{expression: sql, where: sql}, ...] (a row fails when the expression is not true);
    relationships: [{column: c, to: ref('parent'), field: f}, ...] (f defaults to c): every
    non-null c is a value of f in the parent (like dbt's relationships; failing_rows = the child
    rows without a parent); valid_history_intervals: [{key_column: k, from_column: valid_from,
    to_column: valid_to}, ...]: per key k, no null, empty or backwards interval and none
    overlapping the next interval of its key (failing_rows = the rows that break it);
    min_rows: the model has at least that many rows.
    The per-row rules are one aggregate with no window, so that scan reads only the columns they
    name; each relationship and history rule is one scalar subquery of the same query. A key is
    counted distinct as a row value (DuckDB) or as its JSON text (BigQuery has no DISTINCT on a
    STRUCT); null parts compare equal, like GROUP BY.
-#}
    {#- each check: (subject, rule, SQL count of the rows that break it) -#}
    {%- set checks = [] -%}
    {%- set count_if = 'coalesce(sum(case when {} then 1 else 0 end), 0)' -%}
    {%- for column in not_null -%}
        {%- do checks.append((column, 'not_null', count_if.format(column ~ ' is null'))) -%}
    {%- endfor -%}
    {%- for column in unique -%}
        {%- do checks.append((
            column, 'unique', 'count(' ~ column ~ ') - count(distinct ' ~ column ~ ')'
        )) -%}
    {%- endfor -%}
    {%- for column, spec in accepted_values.items() -%}
        {%- set values = spec['values'] if spec is mapping else spec -%}
        {%- set quote = spec.get('quote', true) if spec is mapping else true -%}
        {%- set literals = [] -%}
        {%- for value in values -%}
            {%- do literals.append("'" ~ value ~ "'" if quote else value | string) -%}
        {%- endfor -%}
        {%- do checks.append((
            column,
            'accepted_values',
            count_if.format(column ~ ' not in (' ~ literals | join(', ') ~ ')'),
        )) -%}
    {%- endfor -%}
    {%- for columns in unique_combinations -%}
        {%- if target.type == 'bigquery' -%}
            {%- set key = 'to_json_string(struct(' ~ columns | join(', ') ~ '))' -%}
        {%- else -%}
            {%- set key = 'row(' ~ columns | join(', ') ~ ')' -%}
        {%- endif -%}
        {%- do checks.append((
            columns | join(', '), 'unique_combination', 'count(*) - count(distinct ' ~ key ~ ')'
        )) -%}
    {%- endfor -%}
    {%- for item in expressions -%}
        {%- set expression = item['expression'] if item is mapping else item -%}
        {%- set where = item.get('where') if item is mapping else none -%}
        {%- do checks.append((
            expression ~ (' (where ' ~ where ~ ')' if where else ''),
            'expression_is_true',
            count_if.format(
                ('(' ~ where ~ ') and ' if where else '') ~ 'not coalesce(' ~ expression ~ ', false)'
            ),
        )) -%}
    {%- endfor -%}
    {%- for item in relationships -%}
        {%- set field = item.get('field', item['column']) -%}
        {%- do checks.append((
            item['column'] ~ ' -> ' ~ item['to'].identifier ~ '.' ~ field,
            'relationships',
            '(select count(*) from (select * from ' ~ model ~ ') as child'
            ~ ' left join (select distinct ' ~ field
            ~ ' as parent_key from ' ~ item['to'] ~ ') as parent on child.' ~ item['column']
            ~ ' = parent.parent_key where child.' ~ item['column']
            ~ ' is not null and parent.parent_key is null)',
        )) -%}
    {%- endfor -%}
    {%- for item in valid_history_intervals -%}
        {%- set low = item.get('from_column', 'valid_from') -%}
        {%- set high = item.get('to_column', 'valid_to') -%}
        {%- do checks.append((
            item['key_column'] ~ ' [' ~ low ~ ', ' ~ high ~ ')',
            'valid_history_intervals',
            '(select count(*) from (select ' ~ low ~ ' as interval_from, ' ~ high
            ~ ' as interval_to, lead(' ~ low ~ ') over (partition by ' ~ item['key_column']
            ~ ' order by ' ~ low ~ ') as next_interval_from from (select * from ' ~ model
            ~ ') as history_rows) as ordered where interval_from is null or interval_to is null'
            ~ ' or interval_from >= interval_to or next_interval_from < interval_to)',
        )) -%}
    {%- endfor -%}
with

totals as (
    select
        count(*) as row_count{% for check in checks %},
        {{ check[2] }} as failing_{{ loop.index }}
        {%- endfor %}
    from {{ model }}
),

failures as (
{%- for check in checks %}
    select
        '{{ check[0] | replace("'", '"') }}' as rule_subject,
        '{{ check[1] }}' as rule_name,
        failing_{{ loop.index }} as failing_rows
    from totals
    where failing_{{ loop.index }} > 0
    union all
    {%- endfor %}
    select
        'row count' as rule_subject,
        'min_rows {{ min_rows }}' as rule_name,
        row_count as failing_rows
    from totals
    where {{ 'row_count < ' ~ min_rows if min_rows is not none else 'false' }}
)

select * from failures
{% endtest %}
