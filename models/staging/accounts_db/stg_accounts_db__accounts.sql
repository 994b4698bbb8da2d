{# one row per account per snapshot; uid hashed at the door (H), emails and sensitive fields dropped #}
with

raw_fxa_accounts as (
    select * from {{ source('accounts_db', 'raw_fxa_accounts') }}
),

renamed as (
    select
        {{ sha256_hex('lower(uid)') }} as user_id_sha256,
        cast(_snapshot_at as {{ dbt.type_timestamp() }}) as _snapshot_at,
        cast(cast(_snapshot_at as {{ dbt.type_timestamp() }}) as date) as snapshot_date,
        emailverified as is_email_verified,
        verifierversion as verifier_version,
        cast(verifiersetat as {{ dbt.type_timestamp() }}) as verifier_set_at,
        cast(createdat as {{ dbt.type_timestamp() }}) as account_created_at,
        cast(cast(createdat as {{ dbt.type_timestamp() }}) as date) as account_created_date,
        locale,
        cast(lockedat as {{ dbt.type_timestamp() }}) as locked_at,
        cast(disabledat as {{ dbt.type_timestamp() }}) as disabled_at,
        cast(profilechangedat as {{ dbt.type_timestamp() }}) as profile_changed_at,
        cast(keyschangedat as {{ dbt.type_timestamp() }}) as keys_changed_at,
        cast(metricsoptoutat as {{ dbt.type_timestamp() }}) as metrics_opt_out_at,
        metricsoptoutat is null as is_metrics_enabled
    from raw_fxa_accounts
    where uid is not null
)

select * from renamed
