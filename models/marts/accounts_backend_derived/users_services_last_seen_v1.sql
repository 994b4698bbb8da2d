{{
    config(
        materialized='incremental',
        incremental_strategy=('insert_overwrite' if target.type == 'bigquery' else 'delete+insert'),
        unique_key=(none if target.type == 'bigquery' else ['submission_date']),
        partition_by=(
            {'field': 'submission_date', 'data_type': 'date'}
            if target.type == 'bigquery' else none
        ),
        on_schema_change='fail',
        post_hook=[
            "{{ fxa_erase_deleted_users('user_id_sha256') }}",
            "{{ fxa_apply_retention() }}",
        ],
    )
}}
-- depends_on: {{ ref('int_fxa_deleted_users') }}
{#- Incremental run for day D (var submission_date): yesterday's rows of this table + today's
    users_services_daily_v1 rows (bits28 recursion, spec 0 and 2.5). Otherwise (first build, full
    refresh): the same result set-based for every day up to D (or the last data day):
    days_seen bits = OR of 2^(D-d) over active days d in [D-27, D]; days_registered_bits = the
    greedy registration chain (a registration bit masks later ones until it leaves the window),
    walked with a recursive CTE; R2 cuts every bit older than a day on which the user was opted
    out (state dropped, as the recursion does). -#}
{%- set day = run_day('submission_date') %}
{%- set mask = 268435455 %}

with recursive

users_services_daily as (
    select * from {{ ref('users_services_daily_v1') }}
),

users_state_removed as (
    select * from {{ ref('int_glean_users_state_removed') }}
),

{% if is_incremental() and day -%}

    previous_day as (
        select this_table.*
        from {{ this }} as this_table
        left join users_state_removed
            on
                this_table.user_id_sha256 = users_state_removed.user_id_sha256
                and users_state_removed.removed_from_date <= cast('{{ day }}' as date)
                and cast('{{ day }}' as date) < users_state_removed.removed_to_date
        where
            this_table.submission_date
            = cast({{ dbt.dateadd('day', -1, "cast('" ~ day ~ "' as date)") }} as date)
            {# the user falls out 28 days after the last active day #}
            and ((this_table.days_seen_bits * 2) & {{ mask }}) > 0
            {# R2: opted out before D: carried state is dropped #}
            and users_state_removed.user_id_sha256 is null
    ),

    current_day as (
        select *
        from users_services_daily
        where submission_date = cast('{{ day }}' as date)
    ),

    final as (
        select
            cast('{{ day }}' as date) as submission_date,
            coalesce(current_day.user_id_sha256, previous_day.user_id_sha256) as user_id_sha256,
            case
                when current_day.user_id_sha256 is not null then current_day.service
                else previous_day.service
            end as service,
            case
                when current_day.user_id_sha256 is not null then current_day.country
                else previous_day.country
            end as country,
            case
                when current_day.user_id_sha256 is not null then current_day.user_agent_device_count
                else previous_day.user_agent_device_count
            end as user_agent_device_count,
            cast(
                ((coalesce(previous_day.days_seen_bits, 0) * 2) & {{ mask }})
                | case when current_day.user_id_sha256 is not null then 1 else 0 end
                as {{ dbt.type_bigint() }}
            ) as days_seen_bits,
            cast(
                ((coalesce(previous_day.days_seen_in_tier1_country_bits, 0) * 2) & {{ mask }})
                | case when current_day.seen_in_tier1_country then 1 else 0 end
                as {{ dbt.type_bigint() }}
            ) as days_seen_in_tier1_country_bits,
            cast(
                case
                    when ((coalesce(previous_day.days_registered_bits, 0) * 2) & {{ mask }}) > 0
                        then (previous_day.days_registered_bits * 2) & {{ mask }}
                    when current_day.registered then 1
                    else 0
                end
                as {{ dbt.type_bigint() }}
            ) as days_registered_bits
        from current_day
        full outer join previous_day
            on
                current_day.user_id_sha256 = previous_day.user_id_sha256
                and current_day.service is not distinct from previous_day.service
    )

{%- else %}

    offsets as (
        -- noqa: disable=LT02
        {%- for offset in range(28) %}
            select
                {{ offset }} as day_offset,
                {{ 2 ** offset }} as day_bit
            {%- if not loop.last %}
            union all
            {%- endif %}
        {%- endfor %}
        -- noqa: enable=LT02
    ),

    last_day as (
        {% if day -%}
            select cast('{{ day }}' as date) as last_submission_date
        {%- else -%}
    select max(submission_date) as last_submission_date from {{ ref('int_glean_events') }}
    {%- endif %}
    ),

    active_days as (
        select users_services_daily.*
        from users_services_daily
        cross join last_day
        where users_services_daily.submission_date <= last_day.last_submission_date
    ),

    registration_days as (
        select
            user_id_sha256,
            service,
            submission_date as registration_date,
            lag(submission_date) over (
                partition by user_id_sha256, service order by submission_date
            ) as previous_registration_date,
            row_number() over (
                partition by user_id_sha256, service order by submission_date
            ) as registration_number
        from active_days
        where registered
    ),

    registration_restarts as (
        {# a registration after an opted-out day starts a new chain (state was dropped) #}
        select
            registration_days.user_id_sha256,
            registration_days.service,
            registration_days.registration_date,
            registration_days.registration_number,
            count(users_state_removed.removed_from_date) > 0 as is_after_opt_out
        from
            registration_days
            {# a removed day in (previous registration, this registration] #}
        left join users_state_removed
            on
                registration_days.user_id_sha256 = users_state_removed.user_id_sha256
                and registration_days.registration_date >= users_state_removed.removed_from_date
                and users_state_removed.removed_to_date > cast(
                    {{ dbt.dateadd('day', 1, 'registration_days.previous_registration_date') }}
                    as date
                )
                and registration_days.registration_date
                > registration_days.previous_registration_date
        group by
            registration_days.user_id_sha256,
            registration_days.service,
            registration_days.registration_date,
            registration_days.registration_number
    ),

    registration_chain as (
        select
            user_id_sha256,
            service,
            registration_number,
            registration_date as chain_start_date
        from registration_restarts
        where registration_number = 1
        union all
        select
            registration_restarts.user_id_sha256,
            registration_restarts.service,
            registration_restarts.registration_number,
            case
                when
                    registration_restarts.registration_date
                    >= cast(
                        {{ dbt.dateadd('day', 28, 'registration_chain.chain_start_date') }} as date
                    )
                    or registration_restarts.is_after_opt_out
                    then registration_restarts.registration_date
                else registration_chain.chain_start_date
            end as chain_start_date
        from registration_restarts
        inner join registration_chain
            on
                registration_restarts.user_id_sha256 = registration_chain.user_id_sha256
                and registration_restarts.service is not distinct from registration_chain.service
                and registration_restarts.registration_number
                = registration_chain.registration_number + 1
    ),

    chain_starts as (
        select distinct
            user_id_sha256,
            service,
            chain_start_date
        from registration_chain
    ),

    contributions as (
        {# each active day d contributes bit 2^(D-d) to the rows of days D = d .. d+27 #}
        select
            active_days.user_id_sha256,
            active_days.service,
            active_days.submission_date as active_date,
            cast(
                {{ dbt.dateadd('day', 'offsets.day_offset', 'active_days.submission_date') }}
                as date
            ) as submission_date,
            offsets.day_offset,
            offsets.day_bit,
            active_days.country,
            active_days.user_agent_device_count,
            active_days.seen_in_tier1_country,
            chain_starts.chain_start_date is not null as is_chain_start
        from active_days
        cross join offsets
        cross join last_day
        left join chain_starts
            on
                active_days.user_id_sha256 = chain_starts.user_id_sha256
                and active_days.service is not distinct from chain_starts.service
                and active_days.submission_date = chain_starts.chain_start_date
        where
            cast(
                {{ dbt.dateadd('day', 'offsets.day_offset', 'active_days.submission_date') }}
                as date
            ) <= last_day.last_submission_date
    ),

    cut_contributions as (
        {# R2: bits from before a day on which the user was opted out are dropped #}
        select distinct
            contributions.user_id_sha256,
            contributions.active_date,
            contributions.submission_date
        from
            contributions
            {# a removed day in (active_date, submission_date] #}
        inner join users_state_removed
            on
                contributions.user_id_sha256 = users_state_removed.user_id_sha256
                and contributions.submission_date >= users_state_removed.removed_from_date
                and users_state_removed.removed_to_date > cast(
                    {{ dbt.dateadd('day', 1, 'contributions.active_date') }} as date
                )
                and contributions.submission_date > contributions.active_date
    ),

    surviving as (
        select
            contributions.*,
            row_number() over (
                partition by
                    contributions.user_id_sha256,
                    contributions.service,
                    contributions.submission_date
                order by contributions.day_offset
            ) as recency
        from contributions
        left join cut_contributions
            on
                contributions.user_id_sha256 = cut_contributions.user_id_sha256
                and contributions.active_date = cut_contributions.active_date
                and contributions.submission_date = cut_contributions.submission_date
        where cut_contributions.user_id_sha256 is null
    ),

    bits as (
        select
            submission_date,
            user_id_sha256,
            service,
            cast(sum(day_bit) as {{ dbt.type_bigint() }}) as days_seen_bits,
            cast(
                sum(case when seen_in_tier1_country then day_bit else 0 end)
                as {{ dbt.type_bigint() }}
            ) as days_seen_in_tier1_country_bits,
            {# chain starts are 28+ days apart: at most one is in the window #}
            cast(
                sum(case when is_chain_start then day_bit else 0 end) as {{ dbt.type_bigint() }}
            ) as days_registered_bits
        from surviving
        group by submission_date, user_id_sha256, service
    ),

    final as (
        select
            bits.submission_date,
            bits.user_id_sha256,
            bits.service,
            surviving.country,
            surviving.user_agent_device_count,
            bits.days_seen_bits,
            bits.days_seen_in_tier1_country_bits,
            bits.days_registered_bits
        from bits
        inner join surviving
            on
                bits.submission_date = surviving.submission_date
                and bits.user_id_sha256 = surviving.user_id_sha256
                and bits.service is not distinct from surviving.service
                and surviving.recency = 1
    )

{%- endif %}

select * from final
