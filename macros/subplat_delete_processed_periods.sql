{% macro subplat_delete_processed_periods(period_column, grain) -%}
    {#- pre-hook of the incremental SubPlat tables (both engines): deletes every row of
        the period(s) about to be rewritten, so rows that no longer qualify disappear even when
        the period's new result is empty (delete+insert alone only deletes periods it inserts) -#}
{%- if is_incremental() -%}
delete from {{ this }}
{%- if run_day('subplat_date') %}
        where {{ period_column }} = {{ subplat_period_start(subplat_processing_date(), grain) }}
        {%- else %}
        where true
        {%- endif %}
    {%- else -%}
select 1
{%- endif -%}
{%- endmacro %}
