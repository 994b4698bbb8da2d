{#- The select a staging model reads a source table through: declared columns that exist, typed
    NULLs (or the declared stand-in) for missing optional ones; a missing optional table gives
    zero rows. A missing required column raises the contract error (the on-run-start check
    normally reports it first, for every table at once). -#}
{% macro select_source_contract(source_name, table_name) -%}
    {%- set relation = source(source_name, table_name) -%}
    {#- no contract to read at parse time, in unit tests (the graph has no sources; the
        source is the test's given rows) and in sqlfluff's stand-in context -#}
    {%- if not execute or graph is not defined or 'sources' not in graph %}
    select * from {{ relation }}
    {%- else -%}
        {%- set contract = source_contract(source_name, table_name) -%}
        {%- set present = source_present_columns(contract) -%}
        {%- set problems = source_contract_problems(contract, present) -%}
        {%- if problems.errors -%}
            {{ exceptions.raise_compiler_error(
                source_contract_error(problems.errors, [contract], this.identifier ~ " not built"))
            }}
        {%- endif %}
    select
        {%- for column in contract.columns %}
            {%- set sql_type = contract_sql_type(column.data_type) -%}
            {%- set name = adapter.quote(column.name) -%}
            {%- if present is not none and column.name | lower in present %}
        {{ name }}
            {%- elif present is not none and column.fill_from %}
        cast({{ adapter.quote(column.fill_from) }} as {{ sql_type }}) as {{ name }}
            {%- elif present is not none and column.fill_sql %}
        cast({{ column.fill_sql }} as {{ sql_type }}) as {{ name }}
            {%- else %}
        cast(null as {{ sql_type }}) as {{ name }}
            {%- endif %}{{ "," if not loop.last }}
        {%- endfor %}
        {%- if present is none %}
    from (select 1 as no_rows) as missing_table
    where false
        {%- else %}
    from {{ relation }}
        {%- endif %}
    {%- endif %}
{%- endmacro %}
