{% test row_count_between(model, min_rows=1, max_rows=none) %}
    {# fails (one row) when the model's row count lies outside [min_rows, max_rows] #}
with counted as (
    select count(*) as row_count from {{ model }}
)

select row_count
from counted
where
    row_count < {{ min_rows }}
    {% if max_rows is not none %}or row_count > {{ max_rows }}{% endif %}
{% endtest %}
