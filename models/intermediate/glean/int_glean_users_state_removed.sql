{#- R2 (docs/fxa_events.md 4.2) for the Glean rollups: the day ranges in which a user's carried
state is
    removed because they opted out on an earlier day, from the shared opt-out intervals of
    int_fxa_users_metrics_opt_out. Empty when var fxa_opt_out_filter is false (Q1). -#}
with

users_metrics_opt_out as (
    select * from {{ ref('int_fxa_users_metrics_opt_out') }}
),

removed as (
    select
        user_id_sha256,
        state_removed_from_date as removed_from_date,
        valid_to_date as removed_to_date
    from users_metrics_opt_out
    where
        state_removed_from_date is not null
        and state_removed_from_date < valid_to_date
        and {{ 'true' if var('fxa_opt_out_filter', true) else 'false' }}
)

select * from removed
