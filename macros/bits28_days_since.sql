{# bits28 days_since (spec 0): index of the lowest set bit (0 = active today); NULL when 0 #}
{% macro bits28_days_since(bits) -%}
    case
        when {{ bits }} > 0 then bit_count(({{ bits }} & -{{ bits }}) - 1)
    end
{%- endmacro %}
