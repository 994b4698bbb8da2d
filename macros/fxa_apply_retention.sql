{#
    Retention (docs/fxa_events.md 4.7) as a post-hook of client-level daily models: deletes
    partitions older than the newest date in the table minus var fxa_retention_days (default 775).
    Relative to the data, not to the wall clock, so reruns and full refreshes give the same table.
    fxa_retention_days null disables it.
#}
{% macro fxa_apply_retention(date_column='submission_date') -%}
    {%- if var('fxa_retention_days', none) is not none -%}
    delete from {{ this }}
    where {{ date_column }} < (
        select
            cast({{ dbt.dateadd('day', -1 * var('fxa_retention_days') | int,
                'max(' ~ date_column ~ ')') }} as date)
        from {{ this }}
    )
    {%- else -%}
        select 1 as fxa_retention_disabled
    {%- endif -%}
{%- endmacro %}
