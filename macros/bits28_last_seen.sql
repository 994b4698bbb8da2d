{#
    The last_seen recursion (docs/fxa_events.md 0 and 2.5) of every *_last_seen table: one row per
    key (e.g. user, or user and service) seen at least once in D-27..D, with bits28 patterns of its
    daily rows. The model passes its inputs and differences only:
    - daily: the daily relation (one row per key and submission_date);
    - keys: its key columns (compared NULL-safely); user_column: the hashed user id among them;
    - seen_bits: output column -> condition on the daily row (its bit is set on the days the
      condition holds; 'true' = every active day);
    - attributes: columns taken from the latest active day; columns: the output column order;
    - removals: SQL of the R2 intervals (user_id_sha256, removed_from_date, removed_to_date):
      the state carried into a day inside one is dropped (bits and registration chain restart).
    Day mode (incremental run with var submission_date D): yesterday's rows of {{ this }} shifted
    (dropped when nothing is left in the window, or when D is a removal day) combined with D's
    daily rows. Set-based (full refresh): every active day d contributes bit D - d to the rows
    D = d .. d+27 up to fxa_last_data_day() unless a removal day lies in (d, D]; the
    days_registered_bits chain is walked with a recursive CTE (a registration masks later ones
    until it leaves the window, or until a removal day).
#}
{% macro bits28_last_seen(daily, keys, user_column, seen_bits, attributes, removals, columns) -%}
{%- set day = run_day('submission_date') -%}
{%- set bigint = dbt.type_bigint() -%}
{%- set flags = seen_bits.keys() | list -%}
    with recursive

    daily_rows as (
        select
            submission_date,
{%- for column in keys + attributes %}
{{ column }},
{%- endfor %}
{%- for flag in flags %}
                coalesce({{ seen_bits[flag] }}, false) as {{ flag }},
{%- endfor %}
            coalesce(registered, false) as registered
        from {{ daily }}
        where {{ fxa_day_filter('submission_date') }}
    ),

    removals as (
        {{ removals }}
    ),

{%- if fxa_is_day_mode() %}

    previous_day as (
        select this_table.*
        from {{ this }} as this_table
        left join removals
            on
                this_table.{{ user_column }} = removals.user_id_sha256
                and removals.removed_from_date <= cast('{{ day }}' as date)
                and cast('{{ day }}' as date) < removals.removed_to_date
        where
            this_table.submission_date
            = cast({{ dbt.dateadd('day', -1, "cast('" ~ day ~ "' as date)") }} as date)
            and {{ bits28_shift('this_table.days_seen_bits') }} > 0
            and removals.user_id_sha256 is null
    ),

    last_seen as (
        select
            cast('{{ day }}' as date) as submission_date,
{%- for key in keys %}
                coalesce(daily_rows.{{ key }}, previous_day.{{ key }}) as {{ key }},
{%- endfor %}
{%- for column in attributes %}
                case
                    when daily_rows.submission_date is not null then daily_rows.{{ column }}
                    else previous_day.{{ column }}
                end as {{ column }},
{%- endfor %}
{%- for flag in flags %}
                cast({{ bits28_shift('previous_day.' ~ flag) }}
                    | case when daily_rows.{{ flag }} then 1 else 0 end as {{ bigint }})
                    as {{ flag }},
            {%- endfor %}
            cast(case
                when {{ bits28_shift('previous_day.days_registered_bits') }} > 0
                    then {{ bits28_shift('previous_day.days_registered_bits') }}
                when daily_rows.registered then 1
                else 0
            end as {{ bigint }}) as days_registered_bits
        from daily_rows
        full outer join previous_day
            on {{ bits28_same_key(keys, 'daily_rows', 'previous_day') }}
    )
{%- else %}

    day_offsets as (
{%- for offset in range(28) %}
            select
                {{ offset }} as day_offset,
                {{ 2 ** offset }} as day_bit{{ ' union all' if not loop.last }}
{%- endfor %}
    ),

    last_day as (
        select {{ fxa_last_data_day() }} as last_submission_date
    ),

    registration_days as (
        select
{%- for key in keys %}
{{ key }},
{%- endfor %}
            submission_date as registration_date
        from daily_rows
        where registered
    ),

    chain_successors as (
        {# next chain registration: 28+ days later, or the first one after a removal day #}
        select
{%- for key in keys %}
                registration_days.{{ key }},
{%- endfor %}
            registration_days.registration_date,
            min(later_registrations.registration_date) as next_chain_date
        from registration_days
        inner join registration_days as later_registrations
            on
                {{ bits28_same_key(keys, 'registration_days', 'later_registrations') }}
                and registration_days.registration_date < later_registrations.registration_date
        left join removals
            on
                registration_days.{{ user_column }} = removals.user_id_sha256
                and later_registrations.registration_date >= removals.removed_from_date
                and removals.removed_to_date
                >= cast({{ dbt.dateadd('day', 2, 'registration_days.registration_date') }} as date)
        where
            later_registrations.registration_date
            >= cast({{ dbt.dateadd('day', 28, 'registration_days.registration_date') }} as date)
            or removals.user_id_sha256 is not null
        group by
{%- for key in keys %}
                registration_days.{{ key }},
{%- endfor %}
            registration_days.registration_date
    ),

    registration_chain as (
        select
{%- for key in keys %}
{{ key }},
{%- endfor %}
            min(registration_date) as chain_date
        from registration_days
        group by {{ keys | join(', ') }}
        union all
        select
{%- for key in keys %}
                chain_successors.{{ key }},
{%- endfor %}
            chain_successors.next_chain_date as chain_date
        from registration_chain
        inner join chain_successors
            on
                {{ bits28_same_key(keys, 'registration_chain', 'chain_successors') }}
                and registration_chain.chain_date = chain_successors.registration_date
    ),

    contributions as (
        {# active day d gives bit D - d to the rows of days D = d .. d+27 (up to the last day) #}
        select
            daily_rows.*,
            day_offsets.day_offset,
            day_offsets.day_bit,
            cast({{ dbt.dateadd('day', 'day_offsets.day_offset', 'daily_rows.submission_date') }}
                as date) as row_date,
            registration_chain.chain_date is not null as is_chain_registration
        from daily_rows
        cross join day_offsets
        left join registration_chain
            on
                {{ bits28_same_key(keys, 'daily_rows', 'registration_chain') }}
                and daily_rows.submission_date = registration_chain.chain_date
    ),

    surviving_contributions as (
        {# drop a contribution when a removal day lies in (active day, row day] #}
        select
            contributions.*,
            row_number() over (
                partition by contributions.row_date, contributions.{{ keys | join(', contributions.') }}
                order by contributions.day_offset
            ) as recency_rank
        from contributions
        cross join last_day
        left join removals
            on
                contributions.{{ user_column }} = removals.user_id_sha256
                and contributions.row_date >= removals.removed_from_date
                and removals.removed_to_date
                >= cast({{ dbt.dateadd('day', 2, 'contributions.submission_date') }} as date)
                and contributions.row_date > contributions.submission_date
        where
            contributions.row_date <= last_day.last_submission_date
            and removals.user_id_sha256 is null
    ),

    last_seen as (
        select
            row_date as submission_date,
{%- for key in keys %}
{{ key }},
{%- endfor %}
{%- for column in attributes %}
                max(case when recency_rank = 1 then {{ column }} end) as {{ column }},
{%- endfor %}
{%- for flag in flags %}
                cast(sum(case when {{ flag }} then day_bit else 0 end) as {{ bigint }})
                    as {{ flag }},
{%- endfor %}
{# chain registrations are 28+ days apart: at most one is in a window #}
            cast(sum(case when is_chain_registration then day_bit else 0 end) as {{ bigint }})
                as days_registered_bits
        from surviving_contributions
        group by row_date, {{ keys | join(', ') }}
    )
{%- endif %}

    select {{ columns | join(', ') }} from last_seen
{%- endmacro %}

{# join condition of two relations on the same key columns (NULL keys match) #}
{% macro bits28_same_key(keys, left, right) -%}
{%- for key in keys -%}
{{ ' and ' if not loop.first }}{{ left }}.{{ key }} is not distinct from {{ right }}.{{ key }}
{%- endfor -%}
{%- endmacro %}
