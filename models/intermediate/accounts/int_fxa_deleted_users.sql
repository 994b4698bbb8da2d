{# the erasure list (docs/fxa_events.md 4.6): every hashed uid with a deletion record in the server
logs #}
with

log_lines as (
    select * from {{ ref('stg_fxa_logs__log_lines') }}
),

deleted_users as (
    select
        deleted_user_id as user_id_sha256,
        min(coalesce(log_timestamp, receive_timestamp)) as deleted_at,
        cast(min(coalesce(log_timestamp, receive_timestamp)) as date) as deletion_date,
        count(*) as deletion_record_count
    from log_lines
    where deleted_user_id is not null
    group by deleted_user_id
)

select * from deleted_users
