{#- What breaks the contract for one table, given its present columns (none: no table):
    {'errors': [lines], 'losses': [lines for missing optional columns / tables]} -#}
{% macro source_contract_problems(contract, present) -%}
    {%- set errors = [] -%}
    {%- set losses = [] -%}
    {%- set table = contract.relation.identifier -%}
    {%- if present is none and contract.required -%}
        {%- do errors.append('table ' ~ table ~ ' not found at ' ~ contract.relation) -%}
    {%- elif present is none -%}
        {%- do losses.append('table ' ~ table ~ ' absent (read as empty): ' ~ contract.if_missing) -%}
    {%- else -%}
        {%- for column in contract.columns -%}
            {%- set stand_in = column.fill_from -%}
            {%- set label = table ~ '.' ~ column.name ~ ' (' ~ column.data_type ~ ')' -%}
            {%- set provider = column.provided_by or 'always written by Fivetran' -%}
            {%- if column.name | lower in present -%}
            {%- elif column.required -%}
                {%- do errors.append(label ~ ': ' ~ provider) -%}
            {%- elif stand_in and stand_in | lower not in present -%}
                {%- do errors.append(label ~ ', or its stand-in ' ~ stand_in ~ ': ' ~ provider) -%}
            {%- else -%}
                {%- do losses.append(table ~ '.' ~ column.name ~ ' absent: ' ~ column.if_missing) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {%- do return({'errors': errors, 'losses': losses}) -%}
{%- endmacro %}
