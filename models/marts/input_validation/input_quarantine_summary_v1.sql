{#- one row per input class, raw table, rule, outcome and day: how many raw rows broke the rule,
    with one sample key; the input_quarantine_within_thresholds test reads it every run -#}
with

stripe as (
    select * from {{ ref('stripe_input_quarantine_v1') }}
),

apple as (
    select * from {{ ref('apple_input_quarantine_v1') }}
),

google as (
    select * from {{ ref('google_input_quarantine_v1') }}
),

fxa_logs as (
    select * from {{ ref('fxa_log_quarantine_v1') }}
),

accounts_db as (
    select * from {{ ref('accounts_db_input_quarantine_v1') }}
),

glean as (
    select * from {{ ref('int_glean_events_quarantined') }}
),

quarantined as (
    {%- for input_class in ['stripe', 'apple', 'google', 'accounts_db'] %}
        select
            '{{ input_class }}' as input_class,
            source_table,
            rule,
            outcome,
            record_date as summary_date,
            record_key
        from {{ input_class }}
        union all
    {%- endfor %}
    select
        'fxa_logs' as input_class,
        concat('raw_fxa_log_', stream) as source_table,
        quarantine_reason as rule,
        'excluded' as outcome,
        line_date as summary_date,
        concat(_log_name, ' / ', _insert_id) as record_key
    from fxa_logs
    union all
    select
        'glean' as input_class,
        concat(app, '_events_stream') as source_table,
        reason as rule,
        outcome,
        submission_date as summary_date,
        concat(
            coalesce(event_id, 'null event_id'), ' #',
            cast(event_id_copy_number as {{ dbt.type_string() }})
        ) as record_key
    from glean
),

summary as (
    select
        input_class,
        source_table,
        rule,
        outcome,
        summary_date,
        count(*) as row_count,
        min(record_key) as sample_key
    from quarantined
    group by input_class, source_table, rule, outcome, summary_date
)

select * from summary
