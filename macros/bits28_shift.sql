{# bits28 shift (spec 0): yesterday's 28-day pattern moved one day back; NULL -> 0 #}
{% macro bits28_shift(bits) -%}
    ((coalesce({{ bits }}, 0) << 1) & 268435455)
{%- endmacro %}
