{#
    bits28 (docs/fxa_events.md 0): a 28-day activity pattern in an INT64; bit 0 (value 1) = the
    row's own day, bit k = k days earlier, bits 28 and up always 0. The family follows the behaviour
    Mozilla documents for mozfun.bits28 (days_since_seen, active_in_range, to_string, from_string)
    plus the one-day shift of its last_seen queries. Every macro renders plain SQL that DuckDB and
    BigQuery read alike.
#}

{# 2^28 - 1: the 28 kept bits #}
{% macro bits28_mask() -%}
    268435455
{%- endmacro %}

{# yesterday's pattern moved one day back (bit 27 falls out); NULL -> 0 #}
{% macro bits28_shift(bits) -%}
    ((coalesce({{ bits }}, 0) << 1) & {{ bits28_mask() }})
{%- endmacro %}

{# index of the lowest set bit (0 = active on the row's day); NULL when no bit is set #}
{% macro bits28_days_since(bits) -%}
    case
        when {{ bits }} > 0
            then cast(bit_count(({{ bits }} & -{{ bits }}) - 1) as {{ dbt.type_int() }})
    end
{%- endmacro %}

{#
    true when any bit is set in a window of days: it starts `start_offset` days before the row's
    day (0 or negative: bit -start_offset) and covers `n_bits` days towards the row's day, e.g.
    (-6, 7) = the last 7 days, (-13, 7) = the 7 days before those. Literal integers, checked at
    compile time: start_offset in -27..0, n_bits in 1..(1 - start_offset).
#}
{% macro bits28_active_in_range(bits, start_offset, n_bits) -%}
    {%- if start_offset > 0 or start_offset < -27 or n_bits < 1 or n_bits > 1 - start_offset -%}
        {{ exceptions.raise_compiler_error(
            "bits28_active_in_range: start_offset must be in -27..0 and n_bits in 1.."
            ~ "(1 - start_offset); got start_offset=" ~ start_offset ~ ", n_bits=" ~ n_bits
        ) }}
    {%- endif -%}
    ((({{ bits }} >> {{ -start_offset - n_bits + 1 }}) & {{ 2 ** n_bits - 1 }}) > 0)
{%- endmacro %}

{# the 28 bits as a string of 0 and 1, oldest day (bit 27) first; NULL stays NULL #}
{% macro bits28_to_string(bits) -%}
    {%- set digits = [] -%}
    {%- for bit in range(27, -1, -1) -%}
        {%- do digits.append('case when (' ~ bits ~ ' >> ' ~ bit ~ ") & 1 = 1 then '1' when "
            ~ bits ~ " is not null then '0' end") -%}
    {%- endfor -%}
    ({{ digits | join(' || ') }})
{%- endmacro %}

{#
    the inverse of bits28_to_string: a string of 1 to 28 characters 0/1, the last one = bit 0
    ('1' = 1, '10' = 2); any other string stops the query with an error naming it, NULL -> NULL
#}
{% macro bits28_from_string(string) -%}
    case
        when {{ string }} is null then null
        when
            length({{ string }}) between 1 and 28
            and replace(replace({{ string }}, '0', ''), '1', '') = ''
            then cast(
    {%- for bit in range(28) %}
                case
                    when length({{ string }}) > {{ bit }}
                        and substr({{ string }}, length({{ string }}) - {{ bit }}, 1) = '1'
                        then {{ 2 ** bit }}
                    else 0
                end{{ ' +' if not loop.last }}
    {%- endfor %}
            as {{ dbt.type_bigint() }})
        else cast(error(concat('bits28_from_string: not a string of 1 to 28 characters 0/1: ',
            {{ string }})) as {{ dbt.type_bigint() }})
    end
{%- endmacro %}
