{#- on-run-start: for `dbt run` / `dbt build`, check the contract of every source table a
    selected model reads, once, before any model runs; one error lists every missing required
    column of every table. Missing optional columns/tables are logged with what they cost.
    Skipped for parse, compile, docs, seed and test, in the offline compile, and for tables a
    seed of the same invocation writes (`dbt build` of the demo on a new warehouse). -#}
{% macro check_source_contracts() -%}
    {%- if execute and flags.WHICH in ['run', 'build']
        and env_var('FXA_METRICS_SOURCE_COLUMNS', 'warehouse') != 'contract' -%}
        {#- tables a seed of this same invocation writes (the demo) do not exist yet -#}
        {%- set seeded = [] -%}
        {%- for node in graph.nodes.values()
            if node.resource_type == 'seed' and node.unique_id in selected_resources -%}
            {%- do seeded.append((node.database ~ '.' ~ node.schema ~ '.' ~ node.alias) | lower) -%}
        {%- endfor -%}
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
            and (source_node.source_meta or {}).get('input_contract')
            and (source_node.database ~ '.' ~ source_node.schema ~ '.' ~ source_node.identifier)
            | lower not in seeded -%}
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
            {{ exceptions.raise_compiler_error(source_contract_error(
                errors, contracts, "nothing was run")) }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
