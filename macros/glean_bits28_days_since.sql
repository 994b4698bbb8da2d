{% macro glean_bits28_days_since(bits) -%}
    {#- days since the most recent set bit of a 28-bit pattern (index of the lowest set bit:
        0 = today); NULL when no bit is set (spec 0, days_since) -#}
    case
        when {{ bits }} > 0
            then cast(round(ln({{ bits }} & -{{ bits }}) / ln(2)) as {{ dbt.type_int() }})
    end
{%- endmacro %}
