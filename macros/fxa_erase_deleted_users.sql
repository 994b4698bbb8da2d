{#
    Erasure (docs/fxa_events.md 4.6) as a post-hook of client-level incremental models: deletes
    every row whose hashed user id is on the deletion list (int_fxa_deleted_users), in every
    partition, so rows written before the deletion record arrived disappear too. The model must
    declare `-- depends_on: {{ ref('int_fxa_deleted_users') }}`.
#}
{% macro fxa_erase_deleted_users(user_column='user_id') -%}
    delete from {{ this }}
    where {{ user_column }} in (
        select deleted_users.user_id_sha256
        from {{ ref('int_fxa_deleted_users') }} as deleted_users
    )
{%- endmacro %}
