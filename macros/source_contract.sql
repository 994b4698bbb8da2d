{#- Input contract of raw source tables (issue 13). A source that declares
    `config: {meta: {input_contract: true}}` lists, per table and column, `data_type` (the
    BigQuery type) and `config.meta`: `required` (true/false), `feeds`, `if_missing` and, for a
    column with a stand-in, `fill_from` (another raw column) or `fill_sql` (a constant).
    Tables carry `config.meta.required` the same way. The macros below read that contract from
    the graph and the warehouse's actual columns at run time. -#}

{#- the contract of one source table: {'table': meta of the table, 'columns': [column dicts]} -#}
{% macro source_contract(source_name, table_name) -%}
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
{%- endmacro %}
