{{ config(
    post_hook=[
        "{{ fxa_erase_deleted_users('user_id') }}",
        "{{ fxa_apply_retention('submission_date') }}"
    ],
    **fxa_incremental_config(cluster_by=['user_id'])
) }}
-- depends_on: {{ ref('int_fxa_deleted_users') }}
{#
    one row per user active at least once in D-27..D. Day mode: yesterday's row of {{ this }}
    shifted (dropped when nothing is left in the window, or when R2 removes the user today) OR
    today's daily row. Set-based (full refresh): every active day contributes bit (D - day) to
    the 28 rows D = day .. day+27 unless an R2 removal day lies in (day, D]; registration bits
    follow the greedy chain of spec 2.5 (recursive CTE), restarted after a removal.
#}
{%- set day = run_day('submission_date') -%}
{%- set bigint = dbt.type_bigint() -%}
{%- set attributes = ['country', 'language', 'app_version', 'os_name', 'os_version'] -%}
{%- if fxa_is_day_mode() %}
    with

    users_daily as (
        select * from {{ ref('fxa_users_daily_v1') }}
    ),

    opt_out as (
        select * from {{ ref('int_fxa_users_metrics_opt_out') }}
    ),

    previous_day as (
        select *
        from {{ this }}
        where
            submission_date = cast(
                {{ dbt.dateadd('day', -1, "cast('" ~ day ~ "' as date)") }} as date
            )
            and {{ bits28_shift('days_seen_bits') }} > 0
    ),

    today as (
        select * from users_daily
        where submission_date = cast('{{ day }}' as date)
    ),

    removed_today as (
        {# R2: users whose carried state is removed on this day #}
        select distinct user_id_sha256
        from opt_out
        where
            {{ 'true' if var('fxa_opt_out_filter', true) else 'false' }}
            and state_removed_from_date <= cast('{{ day }}' as date)
            and valid_to_date > cast('{{ day }}' as date)
    ),

    last_seen as (
        select
            cast('{{ day }}' as date) as submission_date,
            {{ bits28_shift('previous_day.days_seen_bits') }}
            | case when today.user_id is not null then 1 else 0 end as days_seen_bits,
            {{ bits28_shift('previous_day.days_seen_in_tier1_country_bits') }}
            | case when today.seen_in_tier1_country then 1 else 0 end
                as days_seen_in_tier1_country_bits,
            case
                when {{ bits28_shift('previous_day.days_registered_bits') }} > 0
                    then {{ bits28_shift('previous_day.days_registered_bits') }}
                when today.registered then 1
                else 0
            end as days_registered_bits,
            coalesce(today.user_id, previous_day.user_id) as user_id,
            {%- for column in attributes %}
                case
                    when today.user_id is not null then today.{{ column }}
                    else previous_day.{{ column }}
                end as {{ column }},
            {%- endfor %}
            {{ bits28_shift('previous_day.days_seen_no_monitor_bits') }}
            | case when today.monitor_only = false then 1 else 0 end as days_seen_no_monitor_bits
        from previous_day
        full outer join today
            on previous_day.user_id = today.user_id
        left join removed_today
            on coalesce(today.user_id, previous_day.user_id) = removed_today.user_id_sha256
        where removed_today.user_id_sha256 is null
    )

    select * from last_seen
{%- else %}
    with recursive

    users_daily as (
        select * from {{ ref('fxa_users_daily_v1') }}
        where {{ fxa_day_filter('submission_date', day_mode=false) }}
    ),

    opt_out as (
        select * from {{ ref('int_fxa_users_metrics_opt_out') }}
    ),

    day_offsets as (
        {%- for offset in range(28) %}
            select {{ offset }} as day_offset{{ ' union all' if not loop.last }}
        {%- endfor %}
    ),

    last_day as (
        -- an aggregate in both branches: exactly one row
        select
            {% if day is none -%}
        max(submission_date)
        {%- else -%}
                max(cast('{{ day }}' as date))
            {%- endif %} as last_submission_date
        from users_daily
    ),

    removals as (
        {# R2 removal days, as intervals [state_removed_from_date, valid_to_date) #}
        select
            user_id_sha256,
            state_removed_from_date,
            valid_to_date
        from opt_out
        where
            {{ 'true' if var('fxa_opt_out_filter', true) else 'false' }}
            and state_removed_from_date < valid_to_date
    ),

    registration_days as (
        select
            user_id,
            submission_date as registration_date
        from users_daily
        where registered
    ),

    chain_successors as (
        {# next chain registration: 28+ days later, or the first one after an R2 removal #}
        select
            registration_days.user_id,
            registration_days.registration_date,
            min(later_registrations.registration_date) as next_chain_date
        from registration_days
        inner join registration_days as later_registrations
            on
                registration_days.user_id = later_registrations.user_id
                and registration_days.registration_date < later_registrations.registration_date
        left join removals
            on
                registration_days.user_id = removals.user_id_sha256
                and later_registrations.registration_date >= removals.state_removed_from_date
                and removals.valid_to_date
                >= cast({{ dbt.dateadd('day', 2, 'registration_days.registration_date') }} as date)
        where
            later_registrations.registration_date
            >= cast({{ dbt.dateadd('day', 28, 'registration_days.registration_date') }} as date)
            or removals.user_id_sha256 is not null
        group by registration_days.user_id, registration_days.registration_date
    ),

    registration_chain as (
        select
            user_id,
            min(registration_date) as chain_date
        from registration_days
        group by user_id
        union all
        select
            chain_successors.user_id,
            chain_successors.next_chain_date as chain_date
        from registration_chain
        inner join chain_successors
            on
                registration_chain.user_id = chain_successors.user_id
                and registration_chain.chain_date = chain_successors.registration_date
    ),

    contributions as (
        select
            users_daily.*,
            day_offsets.day_offset,
            cast(
                {{ dbt.dateadd('day', 'day_offsets.day_offset', 'users_daily.submission_date') }}
                as date
            ) as row_date,
            registration_chain.chain_date is not null as is_chain_registration
        from users_daily
        cross join day_offsets
        left join registration_chain
            on
                users_daily.user_id = registration_chain.user_id
                and users_daily.submission_date = registration_chain.chain_date
    ),

    surviving_contributions as (
        {# drop a contribution when an R2 removal day lies in (active day, row day] #}
        select contributions.*
        from contributions
        cross join last_day
        left join removals
            on
                contributions.user_id = removals.user_id_sha256
                and contributions.row_date >= removals.state_removed_from_date
                and removals.valid_to_date
                >= cast({{ dbt.dateadd('day', 2, 'contributions.submission_date') }} as date)
                and contributions.row_date > contributions.submission_date
        where
            contributions.row_date <= last_day.last_submission_date
            and removals.user_id_sha256 is null
    ),

    bits as (
        select
            row_date,
            user_id,
            sum(cast(1 as {{ bigint }}) << day_offset) as days_seen_bits,
            sum(
                case
                    when seen_in_tier1_country then cast(1 as {{ bigint }}) << day_offset else 0
                end
            )
                as days_seen_in_tier1_country_bits,
            sum(
                case
                    when is_chain_registration then cast(1 as {{ bigint }}) << day_offset else 0
                end
            )
                as days_registered_bits,
            sum(
                case
                    when monitor_only = false then cast(1 as {{ bigint }}) << day_offset else 0
                end
            )
                as days_seen_no_monitor_bits
        from surviving_contributions
        group by row_date, user_id
    ),

    latest_attributes as (
        select
            row_date,
            user_id,
            {%- for column in attributes %}
                {{ column }},
            {%- endfor %}
            row_number() over (partition by row_date, user_id order by day_offset) as recency_rank
        from surviving_contributions
    ),

    last_seen as (
        select
            bits.row_date as submission_date,
            cast(bits.days_seen_bits as {{ bigint }}) as days_seen_bits,
            cast(bits.days_seen_in_tier1_country_bits as {{ bigint }})
                as days_seen_in_tier1_country_bits,
            cast(bits.days_registered_bits as {{ bigint }}) as days_registered_bits,
            bits.user_id,
            {%- for column in attributes %}
                latest_attributes.{{ column }},
            {%- endfor %}
            cast(bits.days_seen_no_monitor_bits as {{ bigint }}) as days_seen_no_monitor_bits
        from bits
        inner join latest_attributes
            on
                bits.row_date = latest_attributes.row_date
                and bits.user_id = latest_attributes.user_id
                and latest_attributes.recency_rank = 1
    )

    select * from last_seen
{%- endif %}
