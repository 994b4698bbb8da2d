{% test valid_history_intervals(model, key_column, from_column='valid_from', to_column='valid_to') %}
{# a failing row is empty or backwards (from >= to), or overlaps the next row of its key #}
with ordered as (
    select
        {{ key_column }} as history_key,
        {{ from_column }} as interval_from,
        {{ to_column }} as interval_to,
        lead({{ from_column }}) over (
            partition by {{ key_column }} order by {{ from_column }}
        ) as next_interval_from
    from {{ model }}
)

select *
from ordered
where
    interval_from is null
    or interval_to is null
    or interval_from >= interval_to
    or next_interval_from < interval_to
{% endtest %}
