{#
    The bits28 macro family on literal patterns (macros/bits28.sql, docs/fxa_events.md 0; behaviour
    as Mozilla documents it for mozfun.bits28). One row per pattern with the expected result of
    every macro; the test returns the rows where a macro disagrees. Needs no built model.
-#}
{%- set zeros = '0' * 28 -%}
with

cases as (
    {#- bits, days_since, to_string, last 7 days, the 7 days before, shift -#}
    {%- set rows = [
        ('null', 'null', 'null', 'null', 'null', 0),
        (0, 'null', "'" ~ zeros ~ "'", 'false', 'false', 0),
        (1, 0, "'" ~ '0' * 27 ~ "1'", 'true', 'false', 2),
        (2, 1, "'" ~ '0' * 26 ~ "10'", 'true', 'false', 4),
        (2 ** 6, 6, "'" ~ '0' * 21 ~ '1' ~ '0' * 6 ~ "'", 'true', 'false', 2 ** 7),
        (2 ** 7, 7, "'" ~ '0' * 20 ~ '1' ~ '0' * 7 ~ "'", 'false', 'true', 2 ** 8),
        (2 ** 13, 13, "'" ~ '0' * 14 ~ '1' ~ '0' * 13 ~ "'", 'false', 'true', 2 ** 14),
        (2 ** 14, 14, "'" ~ '0' * 13 ~ '1' ~ '0' * 14 ~ "'", 'false', 'false', 2 ** 15),
        (2 ** 27, 27, "'1" ~ '0' * 27 ~ "'", 'false', 'false', 0),
        (2 ** 27 + 1, 0, "'1" ~ '0' * 26 ~ "1'", 'true', 'false', 2),
        (2 ** 28 - 1, 0, "'" ~ '1' * 28 ~ "'", 'true', 'true', 2 ** 28 - 2),
    ] -%}
    {%- for row in rows %}
        select
            cast({{ row[0] }} as {{ dbt.type_bigint() }}) as bits,
            cast({{ row[1] }} as {{ dbt.type_int() }}) as expected_days_since,
            cast({{ row[2] }} as {{ dbt.type_string() }}) as expected_string,
            cast({{ row[3] }} as boolean) as expected_last_7_days,
            cast({{ row[4] }} as boolean) as expected_previous_7_days,
            cast({{ row[5] }} as {{ dbt.type_bigint() }}) as expected_shifted
        {{- ' union all' if not loop.last }}
    {%- endfor %}
),

short_strings as (
    {#- from_string also reads strings shorter than 28 characters (leading zeros implied) -#}
    select
        '1' as bits_string,
        cast(1 as {{ dbt.type_bigint() }}) as expected_bits
    union all
    select
        '10' as bits_string,
        2 as expected_bits
    union all
    select
        '0110' as bits_string,
        6 as expected_bits
    union all
    select
        null as bits_string,
        null as expected_bits
),

strings as (
    select
        *,
        {{ bits28_to_string('bits') }} as bits_string
    from cases
),

results as (
    select
        *,
        {{ bits28_days_since('bits') }} as days_since,
        {{ bits28_active_in_range('bits', -6, 7) }} as last_7_days,
        {{ bits28_active_in_range('bits', -13, 7) }} as previous_7_days,
        {{ bits28_shift('bits') }} as shifted,
        {{ bits28_from_string('bits_string') }} as round_trip
    from strings
),

failures as (
    select
        'pattern ' || coalesce(cast(bits as {{ dbt.type_string() }}), 'null') as failing_case
    from results
    where
        days_since is distinct from expected_days_since
        or bits_string is distinct from expected_string
        or last_7_days is distinct from expected_last_7_days
        or previous_7_days is distinct from expected_previous_7_days
        or shifted is distinct from expected_shifted
        or round_trip is distinct from bits
    union all
    select 'string ' || coalesce(bits_string, 'null') as failing_case
    from short_strings
    where {{ bits28_from_string('bits_string') }} is distinct from expected_bits
)

select * from failures
