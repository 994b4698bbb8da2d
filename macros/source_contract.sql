{#- Input contract of raw source tables (issue 13). A source that declares
    `config: {meta: {input_contract: true}}` lists, per table and column, `data_type` (the
    BigQuery type) and `config.meta`: `required` (true/false), `feeds`, `if_missing` and, for a
    column with a stand-in, `fill_from` (another raw column) or `fill_sql` (a constant).
    Tables carry `config.meta.required` the same way. The macros below read that contract from
    the graph and the warehouse's actual columns at run time. -#}

{#- the contract of one source table: {'table': meta of the table, 'columns': [column dicts]} -#}
{% macro source_contract(source_name, table_name) %}
    {%- set found = [] -%}
    {%- for node in graph.sources.values()
        if node.source_name == source_name and node.name == table_name -%}
        {%- do found.append(node) -%}
    {%- endfor -%}
    {%- if found | length == 0 -%}
        {{ exceptions.raise_compiler_error(
            "source_contract: no source " ~ source_name ~ "." ~ table_name ~ " in the project") }}
    {%- endif -%}
    {%- set node = found[0] -%}
    {%- set columns = [] -%}
    {%- for column in node.columns.values() -%}
        {%- set meta = (column.config or {}).get('meta') or column.meta or {} -%}
        {%- do columns.append({
            'name': column.name,
            'data_type': column.data_type,
            'required': meta.get('required', false),
            'fill_from': meta.get('fill_from'),
            'fill_sql': meta.get('fill_sql'),
            'provided_by': meta.get('provided_by'),
            'if_missing': meta.get('if_missing'),
        }) -%}
    {%- endfor -%}
    {%- set table_meta = (node.config or {}).get('meta') or node.meta or {} -%}
    {%- set source_meta = node.source_meta or {} -%}
    {%- do return({
        'unique_id': node.unique_id,
        'relation': source(source_name, table_name),
        'required': table_meta.get('required', false),
        'if_missing': table_meta.get('if_missing'),
        'location_vars': source_meta.get('location_vars') or [],
        'columns': columns,
    }) -%}
{% endmacro %}

{#- The lower-case column names of a source table in the warehouse, or none when the table does
    not exist. With the env var FXA_METRICS_SOURCE_COLUMNS=contract (set by the offline BigQuery
    compile, which has no warehouse) every declared column is taken as present. -#}
{% macro source_present_columns(contract) %}
    {%- if env_var('FXA_METRICS_SOURCE_COLUMNS', 'warehouse') == 'contract' -%}
        {%- do return(contract.columns | map(attribute='name') | map('lower') | list) -%}
    {%- endif -%}
    {%- set relation = contract.relation -%}
    {%- set existing = adapter.get_relation(
        database=relation.database, schema=relation.schema, identifier=relation.identifier) -%}
    {%- if existing is none -%}
        {%- do return(none) -%}
    {%- endif -%}
    {%- do return(adapter.get_columns_in_relation(existing)
        | map(attribute='name') | map('lower') | list) -%}
{% endmacro %}

{#- What breaks the contract for one table, given its present columns (none: no table):
    {'errors': [lines], 'losses': [lines for missing optional columns / tables]} -#}
{% macro source_contract_problems(contract, present) %}
    {%- set errors = [] -%}
    {%- set losses = [] -%}
    {%- set name = contract.relation.identifier -%}
    {%- if present is none -%}
        {%- if contract.required -%}
            {%- do errors.append("table " ~ name ~ " not found at " ~ contract.relation) -%}
        {%- else -%}
            {%- do losses.append("table " ~ name ~ " absent (read as empty): "
                ~ contract.if_missing) -%}
        {%- endif -%}
    {%- else -%}
        {%- for column in contract.columns if column.name | lower not in present -%}
            {%- set stand_in = column.fill_from -%}
            {%- if column.required -%}
                {%- do errors.append(name ~ "." ~ column.name ~ " (" ~ column.data_type
                    ~ "): " ~ (column.provided_by or "always written by Fivetran")) -%}
            {%- elif stand_in and stand_in | lower not in present -%}
                {%- do errors.append(name ~ "." ~ column.name ~ " (" ~ column.data_type
                    ~ "), or its stand-in " ~ stand_in ~ ": "
                    ~ (column.provided_by or "always written by Fivetran")) -%}
            {%- else -%}
                {%- do losses.append(name ~ "." ~ column.name ~ " absent: "
                    ~ column.if_missing) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {%- do return({'errors': errors, 'losses': losses}) -%}
{% endmacro %}

{#- the one error message for every broken contract line of every checked table -#}
{% macro source_contract_error(errors, contracts) %}
    {%- set places = [] -%}
    {%- set location_vars = [] -%}
    {%- for contract in contracts -%}
        {%- set place = contract.relation.database ~ "." ~ contract.relation.schema -%}
        {%- if place not in places -%}{%- do places.append(place) -%}{%- endif -%}
        {%- for var_name in contract.location_vars
            if var_name not in location_vars -%}
            {%- do location_vars.append(var_name) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- set lines = [
        "Input contract: " ~ errors | length ~ " required column(s) or table(s) missing,"
        ~ " nothing was run:"
    ] -%}
    {%- for error in errors -%}{%- do lines.append("  - " ~ error) -%}{%- endfor -%}
    {%- do lines.append("Tables were looked up in " ~ places | join(", ")
        ~ "; if they live elsewhere set the vars " ~ location_vars | join(" / ")
        ~ " (--vars). The contract: models/staging/stripe/_stripe__sources.yml"
        ~ " (docs site, source stripe).") -%}
    {%- do return(lines | join("\n")) -%}
{% endmacro %}

{#- The select a staging model reads a source table through: declared columns that exist, typed
    NULLs (or the declared stand-in) for missing optional ones; a missing optional table gives
    zero rows. A missing required column raises the contract error (the on-run-start check
    normally reports it first, for every table at once). -#}
{% macro select_source_contract(source_name, table_name) %}
    {%- set relation = source(source_name, table_name) -%}
    {%- if not execute -%}
        select * from {{ relation }}
        {%- do return('') -%}
    {%- endif -%}
    {%- set contract = source_contract(source_name, table_name) -%}
    {%- set present = source_present_columns(contract) -%}
    {%- set problems = source_contract_problems(contract, present) -%}
    {%- if problems.errors -%}
        {{ exceptions.raise_compiler_error(source_contract_error(problems.errors, [contract])) }}
    {%- endif -%}
    select
    {%- for column in contract.columns %}
        {%- set sql_type = contract_sql_type(column.data_type) %}
        {%- if present is not none and column.name | lower in present %}
        {{ adapter.quote(column.name) }}
        {%- elif present is not none and column.fill_from %}
        cast({{ adapter.quote(column.fill_from) }} as {{ sql_type }}) as {{ adapter.quote(column.name) }}
        {%- elif present is not none and column.fill_sql %}
        cast({{ column.fill_sql }} as {{ sql_type }}) as {{ adapter.quote(column.name) }}
        {%- else %}
        cast(null as {{ sql_type }}) as {{ adapter.quote(column.name) }}
        {%- endif %}{{ "," if not loop.last }}
    {%- endfor %}
    {%- if present is none %}
    from (select 1 as no_rows) as missing_table
    where false
    {%- else %}
    from {{ relation }}
    {%- endif %}
{% endmacro %}

{#- the engine type for a contract's BigQuery type name -#}
{% macro contract_sql_type(data_type) %}
    {%- set name = (data_type or '') | upper -%}
    {%- if name == 'STRING' -%}{{ return(dbt.type_string()) }}
    {%- elif name == 'INT64' -%}{{ return(dbt.type_bigint()) }}
    {%- elif name == 'TIMESTAMP' -%}{{ return(dbt.type_timestamp()) }}
    {%- elif name == 'BOOL' -%}{{ return(dbt.type_boolean()) }}
    {%- elif name == 'FLOAT64' -%}{{ return(dbt.type_float()) }}
    {%- elif name == 'NUMERIC' -%}{{ return(dbt.type_numeric()) }}
    {%- else -%}
        {{ exceptions.raise_compiler_error(
            "input contract: unsupported data_type '" ~ data_type ~ "'") }}
    {%- endif -%}
{% endmacro %}

{#- on-run-start: for `dbt run` / `dbt build`, check the contract of every source table a
    selected model reads, once, before any model runs; one error lists every missing required
    column of every table. Missing optional columns/tables are logged with what they cost.
    Skipped for parse, compile, docs, seed and test, and in the offline compile. -#}
{% macro check_source_contracts() %}
    {%- if execute and flags.WHICH in ['run', 'build']
        and env_var('FXA_METRICS_SOURCE_COLUMNS', 'warehouse') != 'contract' -%}
        {%- set read_sources = [] -%}
        {%- for node in graph.nodes.values() if node.unique_id in selected_resources -%}
            {%- for parent in node.depends_on.nodes
                if parent.startswith('source.') and parent not in read_sources -%}
                {%- do read_sources.append(parent) -%}
            {%- endfor -%}
        {%- endfor -%}
        {%- set errors = [] -%}
        {%- set losses = [] -%}
        {%- set contracts = [] -%}
        {%- for source_node in graph.sources.values()
            if source_node.unique_id in read_sources
            and (source_node.source_meta or {}).get('input_contract') -%}
            {%- set contract = source_contract(source_node.source_name, source_node.name) -%}
            {%- set problems = source_contract_problems(contract,
                source_present_columns(contract)) -%}
            {%- do contracts.append(contract) -%}
            {%- do errors.extend(problems.errors) -%}
            {%- do losses.extend(problems.losses) -%}
        {%- endfor -%}
        {%- for loss in losses -%}
            {%- do log("input contract, optional input absent: " ~ loss, info=true) -%}
        {%- endfor -%}
        {%- if errors -%}
            {{ exceptions.raise_compiler_error(source_contract_error(errors, contracts)) }}
        {%- endif -%}
    {%- endif -%}
{% endmacro %}
