{#
    DuckDB `incremental` of the SubPlat period tables (config `subplat_grain`, set by
    daily_incremental_config): the pre-hook subplat_delete_processed_periods deletes every
    period the model's SQL selects, so an incremental run is one schema check, then that delete
    and one `insert into ... select` of the model's SQL in one transaction: no temporary table,
    no second delete (dbt-duckdb's delete+insert), no column introspection beyond the check
    (issue 15: about 0.2 s of the monthly actives' 0.6 s day run at scale 100).

    The schema check keeps on_schema_change='fail' (the only value the config sets): one query
    lists the table's columns next to the query's (DuckDB DESCRIBE: names and types, the query
    is bound, not run); a column missing on either side or of another type stops the run with
    dbt's advice, a --full-refresh. The same query gives the insert's column list.

    Everything else - a first build, --full-refresh, a model without `subplat_grain`, Python
    models, any other on_schema_change - is dbt-duckdb's own incremental materialization,
    called unchanged. On BigQuery this file does nothing (insert_overwrite, dbt-bigquery's).
#}
{% materialization incremental, adapter='duckdb', supported_languages=['sql', 'python'] -%}
    {%- set existing_relation = load_cached_relation(this) -%}
    {%- if config.get('subplat_grain') is none
        or model['language'] != 'sql'
        or config.get('on_schema_change') != 'fail'
        or existing_relation is none
        or existing_relation.type != 'table'
        or should_full_refresh() -%}
        {{ return(dbt.materialization_incremental_duckdb()) }}
    {%- endif -%}
    {%- set target_relation = this.incorporate(type='table') -%}
    {#- the check first: a changed schema fails before anything is deleted -#}

    {%- set compared = run_query(subplat_compare_columns_sql(target_relation, compiled_code)) -%}
    {%- set columns = [] -%}
    {%- set differences = [] -%}
    {%- for row in compared.rows -%}
        {%- if row[1] is not none -%}
            {%- do columns.append(adapter.quote(row[0])) -%}
        {%- endif -%}
        {%- if row[1] != row[2] -%}
            {%- do differences.append(row[0] ~ ': table ' ~ (row[1] or 'missing') ~ ', query '
                ~ (row[2] or 'missing')) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if differences -%}
        {{ exceptions.raise_compiler_error(
            'The source and target schemas on this incremental model are out of sync!'
            ~ ' (on_schema_change=fail) ' ~ differences | join('; ')
            ~ '. Please re-run the incremental model with full_refresh set to True'
            ~ ' to update the target schema.') }}
    {%- endif -%}

    {{ run_hooks(pre_hooks, inside_transaction=False) }}
    -- in one transaction: the pre-hook delete and the insert
    {{ run_hooks(pre_hooks, inside_transaction=True) }}
    {% call statement('main') -%}
        insert into {{ target_relation }} ({{ columns | join(', ') }})
        select {{ columns | join(', ') }}
        from (
            {{ compiled_code }}
        ) as subplat_period_rows
    {%- endcall %}

    {% do apply_grants(target_relation, config.get('grants'),
        should_revoke=should_revoke(existing_relation, full_refresh_mode=false)) %}
    {% do persist_docs(target_relation, model) %}
    {{ run_hooks(post_hooks, inside_transaction=True) }}
    -- `COMMIT` happens here
    {% do adapter.commit() %}
    {{ run_hooks(post_hooks, inside_transaction=False) }}
    {{ return({'relations': [target_relation]}) }}
{%- endmaterialization %}
