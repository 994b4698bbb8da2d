{% macro subplat_compare_columns_sql(relation, select_sql) -%}
    {#- one row per column of the table (in its order) or of the query: name, the table's type,
        the query's type (none where it lacks the column); DuckDB DESCRIBE binds the query
        without running it -#}
    with

    table_columns as (
        select
            column_name,
            data_type,
            column_index
        from duckdb_columns()
        where
            database_name = '{{ relation.database }}'
            and schema_name = '{{ relation.schema }}'
            and table_name = '{{ relation.identifier }}'
    ),

    query_columns as (
        select
            column_name,
            column_type
        from (describe (
            {{ select_sql }}
        ))
    )

    select
        coalesce(table_columns.column_name, query_columns.column_name) as column_name,
        table_columns.data_type as table_type,
        query_columns.column_type as query_type
    from table_columns
    full outer join query_columns
        on lower(table_columns.column_name) = lower(query_columns.column_name)
    order by table_columns.column_index nulls last, query_columns.column_name
{%- endmacro %}
