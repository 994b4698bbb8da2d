{{ config(**daily_incremental_config(erase_user_column='user_id_sha256', retention=true)) }}
{#
    one row per (user, service) active at least once in D-27..D in the Glean backend events
    (users_services_daily_v1; the bits28 recursion of bits28_last_seen,
    docs/fxa_events.md 0 and 2.5): seen, seen in a tier-1 country and registered, with the
    attributes of the latest active day; days on which the user was opted out
    (int_glean_users_state_removed, R2) drop the carried state.
#}
{%- set removals -%}
    select
        user_id_sha256,
        removed_from_date,
        removed_to_date
    from {{ ref('int_glean_users_state_removed') }}
{%- endset -%}
{{ bits28_last_seen(
    daily=ref('users_services_daily_v1'),
    keys=['user_id_sha256', 'service'],
    user_column='user_id_sha256',
    seen_bits={
        'days_seen_bits': 'true',
        'days_seen_in_tier1_country_bits': 'seen_in_tier1_country',
    },
    attributes=['country', 'user_agent_device_count'],
    removals=removals,
    columns=[
        'submission_date', 'user_id_sha256', 'service', 'country', 'user_agent_device_count',
        'days_seen_bits', 'days_seen_in_tier1_country_bits', 'days_registered_bits',
    ],
) }}
