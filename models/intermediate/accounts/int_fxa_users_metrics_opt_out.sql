{#
    Opt-out state per user as intervals of event days (docs/fxa_events.md 4.2, rules R1-R4). The
    snapshot taken on day S (its last one that day) is the one valid for event day S - 1: it was
    taken after day S - 1 ended, so it knows every opt-out (and opt-in) of that day. The first
    snapshot also governs every earlier day; the last one every later day. Consecutive snapshots
    with the same state are merged into one interval.
    A table, not a view: every FxA rollup joins it (some twice), and its windows run over every
    account snapshot, so one build per run replaces a recomputation in each reader; its cost
    follows the number of accounts, not of events.
    Erasure (docs/fxa_events.md 4.6): a stored table, so users on the deletion list
    (int_fxa_deleted_users) are left out here, like every other stored client-level relation.
#}
{{ config(materialized='table') }}
with

accounts as (
    select * from {{ ref('stg_accounts_db__accounts') }}
),

deleted_users as (
    select * from {{ ref('int_fxa_deleted_users') }}
),

snapshots_per_day as (
    select
        snapshot_date,
        max(_snapshot_at) as _snapshot_at
    from accounts
    group by snapshot_date
),

snapshot_windows as (
    select
        _snapshot_at,
        row_number() over (order by snapshot_date) as snapshot_number,
        case
            when row_number() over (order by snapshot_date) = 1 then cast('1970-01-01' as date)
            else cast({{ dbt.dateadd('day', -1, 'snapshot_date') }} as date)
        end as governs_from_date,
        coalesce(
            cast(
                {{ dbt.dateadd('day', -1, 'lead(snapshot_date) over (order by snapshot_date)') }}
                as date
            ),
            cast('9999-12-31' as date)
        ) as governs_to_date
    from snapshots_per_day
),

account_states as (
    select
        accounts.user_id_sha256,
        accounts.metrics_opt_out_at,
        accounts._snapshot_at,
        snapshot_windows.snapshot_number,
        snapshot_windows.governs_from_date,
        snapshot_windows.governs_to_date
    from accounts
    inner join snapshot_windows
        on accounts._snapshot_at = snapshot_windows._snapshot_at
),

islands as (
    {# consecutive snapshots of a user with the same opt-out value share an island number #}
    select
        *,
        snapshot_number - row_number() over (
            partition by user_id_sha256, metrics_opt_out_at order by snapshot_number
        ) as island_number
    from account_states
),

intervals as (
    select
        user_id_sha256,
        metrics_opt_out_at,
        min(governs_from_date) as valid_from_date,
        max(governs_to_date) as valid_to_date,
        min(_snapshot_at) as first_snapshot_at,
        max(_snapshot_at) as last_snapshot_at
    from islands
    group by user_id_sha256, metrics_opt_out_at, island_number
),

final as (
    select
        user_id_sha256,
        valid_from_date,
        valid_to_date,
        metrics_opt_out_at,
        cast(metrics_opt_out_at as date) as metrics_opt_out_date,
        metrics_opt_out_at is null as is_metrics_enabled,
        {# R2: carried state (last_seen rows) is removed from the first day after the opt-out day #}
        case
            when metrics_opt_out_at is not null
                then greatest(
                    valid_from_date,
                    cast({{ dbt.dateadd('day', 1, 'cast(metrics_opt_out_at as date)') }} as date)
                )
        end as state_removed_from_date,
        first_snapshot_at,
        last_snapshot_at
    from intervals
    where not exists (
        select 1
        from deleted_users
        where deleted_users.user_id_sha256 = intervals.user_id_sha256
    )
)

select * from final
