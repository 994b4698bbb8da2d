{#- the one error message for every broken contract line of every checked table;
    `consequence` says what did not happen (e.g. "nothing was run") -#}
{% macro source_contract_error(errors, contracts, consequence) -%}
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
        "Input contract: " ~ errors | length ~ " required column(s) or table(s) missing, "
        ~ consequence ~ ":"
    ] -%}
    {%- for error in errors -%}{%- do lines.append("  - " ~ error) -%}{%- endfor -%}
    {%- do lines.append("Tables were looked up in " ~ places | join(", ")
        ~ "; if they live elsewhere set the vars " ~ location_vars | join(" / ")
        ~ " (--vars). The contract: models/staging/stripe/_stripe__sources.yml"
        ~ " (docs site, source stripe). The demo tables are seeds: `dbt seed` (or make build)"
        ~ " loads them first.") -%}
    {%- do return(lines | join("\n")) -%}
{%- endmacro %}
