{{ config(tags=['fxa', 'privacy']) }}
{#-
    Erasure (docs/fxa_events.md 4.6, S14): no hashed user id on the deletion list
    (int_fxa_deleted_users) may appear in any stored client-level FxA relation (marts and
    intermediate tables), in any partition. Aggregates without ids (event counts, exact_mau28,
    funnels) are not rewritten, as in Mozilla. A failing row names the model and the hashed id. The
    list must name every stored model with a hashed user id column:
    tests/fxa/test_erasure_coverage.py checks it.
-#}
{%- set client_level_models = [
    ('fxa_all_events_v1', 'user_id'),
    ('fxa_users_daily_v1', 'user_id'),
    ('fxa_users_last_seen_v1', 'user_id'),
    ('fxa_users_first_seen_v1', 'user_id'),
    ('fxa_users_services_daily_v2', 'user_id'),
    ('fxa_users_services_first_seen_v2', 'user_id'),
    ('users_services_daily_v1', 'user_id_sha256'),
    ('users_services_last_seen_v1', 'user_id_sha256'),
    ('int_fxa_users_metrics_opt_out', 'user_id_sha256'),
] -%}
with

deleted_users as (
    select user_id_sha256 from {{ ref('int_fxa_deleted_users') }}
),

client_level_ids as (
    {%- for model_name, user_column in client_level_models %}
        select distinct
            '{{ model_name }}' as model_name,
            {{ user_column }} as user_id_sha256
        from {{ ref(model_name) }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
)

select
    client_level_ids.model_name,
    client_level_ids.user_id_sha256
from client_level_ids
inner join deleted_users
    on client_level_ids.user_id_sha256 = deleted_users.user_id_sha256
