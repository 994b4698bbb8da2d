{{ config(**daily_incremental_config(
    cluster_by=['user_id'], erase_user_column='user_id', retention=true
)) }}
{#
    one row per user active at least once in D-27..D (the bits28 recursion of bits28_last_seen):
    seen, seen in a tier-1 country, registered and seen outside Monitor-only sessions, with the
    attributes of the latest active day; R2 removal days (opt-out filter, docs/fxa_events.md 4.2)
    drop the carried state.
#}
{%- set removals -%}
    select
        user_id_sha256,
        state_removed_from_date as removed_from_date,
        valid_to_date as removed_to_date
    from {{ ref('int_fxa_users_metrics_opt_out') }}
    where
        {{ 'true' if var('fxa_opt_out_filter', true) else 'false' }}
        and state_removed_from_date < valid_to_date
{%- endset -%}
{{ bits28_last_seen(
    daily=ref('fxa_users_daily_v1'),
    keys=['user_id'],
    user_column='user_id',
    seen_bits={
        'days_seen_bits': 'true',
        'days_seen_in_tier1_country_bits': 'seen_in_tier1_country',
        'days_seen_no_monitor_bits': 'monitor_only = false',
    },
    attributes=['country', 'language', 'app_version', 'os_name', 'os_version'],
    removals=removals,
    columns=[
        'submission_date', 'days_seen_bits', 'days_seen_in_tier1_country_bits',
        'days_registered_bits', 'user_id', 'country', 'language', 'app_version', 'os_name',
        'os_version', 'days_seen_no_monitor_bits',
    ],
) }}
