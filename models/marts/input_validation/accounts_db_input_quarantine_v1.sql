{#- one row per raw accounts-DB snapshot row the FxA lineage rejects or flags, with the rule
    broken (rules and actions: the model's yml); ids only as SHA-256 -#}
with

raw_fxa_accounts as (
    select * from {{ source('accounts_db', 'raw_fxa_accounts') }}
),

numbered as (
    select
        {{ sha256_hex('lower(uid)') }} as user_id_sha256,
        cast(_snapshot_at as {{ dbt.type_timestamp() }}) as snapshot_at,
        cast(metricsoptoutat as {{ dbt.type_timestamp() }}) as metrics_opt_out_at,
        row_number() over (
            partition by lower(uid), cast(_snapshot_at as {{ dbt.type_timestamp() }})
            order by cast(metricsoptoutat as {{ dbt.type_timestamp() }})
        ) as copy_number
    from raw_fxa_accounts
),

checked as (
    select
        user_id_sha256,
        snapshot_at,
        cast(snapshot_at as date) as record_date,
        copy_number,
        case
            when user_id_sha256 is null then 'missing_uid'
            when copy_number > 1 then 'duplicate_account_snapshot'
            when metrics_opt_out_at > cast({{ dbt.dateadd(
                'hour', var('input_max_clock_skew_hours', 24) | int, 'snapshot_at')
            }} as {{ dbt.type_timestamp() }})
                then 'future_opt_out'
        end as rule
    from numbered
),

quarantined as (
    select
        'raw_fxa_accounts' as source_table,
        concat(
            coalesce(user_id_sha256, 'null uid'), ' @ ', {{ format_timestamp_id('snapshot_at') }},
            case when copy_number > 1 then concat(' #', cast(copy_number as {{
                dbt.type_string() }})) else '' end
        ) as record_key,
        record_date,
        rule,
        case rule
            when 'missing_uid' then 'excluded'
            else 'flagged'
        end as outcome,
        case rule
            when 'missing_uid' then 'uid is null; the row cannot be joined to any event'
            when 'duplicate_account_snapshot'
                then concat(
                    'the account appears more than once in one snapshot; ',
                    'its opt-out states may overlap'
                )
            when 'future_opt_out'
                then 'metricsOptOutAt is after the snapshot beyond the allowed clock skew'
        end as detail
    from checked
    where rule is not null
)

select * from quarantined
