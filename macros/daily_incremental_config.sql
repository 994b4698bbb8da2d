{#
    The one config of every day-partitioned incremental table (docs/fxa_events.md 3), on both
    engines:
    - DuckDB: delete+insert keyed on `unique_key` (default: the day column, so a run replaces
      whole days);
    - BigQuery: `bigquery_strategy` (insert_overwrite of the day partitions, or merge on
      `unique_key` for tables whose old rows change), partitioned by day on `day_column`,
      optional clustering;
    - on_schema_change='fail' everywhere: a changed column list stops the run with dbt's error
      (the fix is a --full-refresh) instead of appending a column that is NULL in every old
      partition, which the day-by-day == full-refresh rule would silently break;
    - `erase_user_column`: the erasure post-hook (docs/fxa_events.md 4.6) on that hashed user id
    column, and
      the dependency on the deletion list it reads; `retention`: the retention post-hook
      (docs/fxa_events.md 4.7) on the day column;
    - `subplat_grain` ('day' or 'month'): a SubPlat table processing the period of
      run_day('subplat_date') deletes that period first on both engines
      (subplat_delete_processed_periods, a pre-hook), so a period whose new result is empty is
      emptied too; the rows are then written by insert_overwrite on BigQuery and, on DuckDB, by
      one `insert ... select` (the project's incremental materialization for `subplat_grain`,
      macros/materializations/incremental_duckdb.sql: no temporary table, no second delete).
#}
{% macro daily_incremental_config(day_column='submission_date', unique_key=none, cluster_by=none,
        erase_user_column=none, retention=false, bigquery_strategy='insert_overwrite',
        subplat_grain=none) -%}
    {%- set settings = {
        'materialized': 'incremental',
        'on_schema_change': 'fail',
        'unique_key': unique_key if unique_key is not none else day_column,
    } -%}
{%- set post_hooks = [] -%}
{%- if erase_user_column is not none -%}
{#- the hook reads the deletion list: make dbt build it first -#}
{%- set deleted_users = ref('int_fxa_deleted_users') -%}
{%- do post_hooks.append("{{ fxa_erase_deleted_users('" ~ erase_user_column ~ "') }}") -%}
{%- endif -%}
{%- if retention -%}
{%- do post_hooks.append("{{ fxa_apply_retention('" ~ day_column ~ "') }}") -%}
{%- endif -%}
{%- if post_hooks -%}
{%- do settings.update({'post_hook': post_hooks}) -%}
{%- endif -%}
{%- if target.type == 'bigquery' -%}
        {%- do settings.update({
            'incremental_strategy': bigquery_strategy,
            'partition_by': {'field': day_column, 'data_type': 'date', 'granularity': 'day'},
            'require_partition_filter': false,
        }) -%}
{%- if cluster_by is not none -%}
{%- do settings.update({'cluster_by': cluster_by}) -%}
{%- endif -%}
    {%- else -%}
{%- do settings.update({'incremental_strategy': 'delete+insert'}) -%}
{%- endif -%}
{#- a hook, not BigQuery's static `partitions`: config is fixed at parse time, when the run
    date (FXA_METRICS_RUN_DATE, read at execution) is not known yet; hooks render per run -#}
{%- if subplat_grain is not none -%}
{%- do settings.update({'subplat_grain': subplat_grain, 'pre_hook': "{{ subplat_delete_processed_periods('"
    ~ day_column ~ "', '" ~ subplat_grain ~ "') }}"}) -%}
{%- endif -%}
{{ return(settings) }}
{%- endmacro %}
