{#
    Which days an FxA rollup computes. Day mode (an incremental run with var submission_date set):
    `column = D`. Otherwise (first build, --full-refresh, or var submission_date null) the
    set-based branch: every day, or every day up to D when the var is set.
    `offset_days` shifts D (e.g. -1 to read the day before for attribution).
#}
{% macro fxa_day_filter(column, offset_days=0, day_mode=none) -%}
    {%- set day = run_day('submission_date') -%}
    {%- set in_day_mode = fxa_is_day_mode() if day_mode is none else day_mode -%}
    {%- if day is none -%}
    (1 = 1)
    {%- else -%}
        {%- set bound = "cast('" ~ day ~ "' as date)" -%}
        {%- if offset_days != 0 -%}
            {%- set bound = "cast(" ~ dbt.dateadd('day', offset_days, bound) ~ " as date)" -%}
        {%- endif -%}
        {%- if in_day_mode -%}
    {{ column }} {{ '>=' if offset_days != 0 else '=' }} {{ bound }}
        and {{ column }} <= cast('{{ day }}' as date)
    {%- else -%}
            {{ column }} <= cast('{{ day }}' as date)
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
