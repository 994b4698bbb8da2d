{% macro max_timestamp() -%}
    {#- the open end of a history interval, as Mozilla writes it -#}
    cast('9999-12-31 23:59:59.999999' as {{ dbt.type_timestamp() }})
{%- endmacro %}
