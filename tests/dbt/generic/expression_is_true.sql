{% test expression_is_true(model, expression, where_clause=none) %}
    {# a failing row is one for which the stated rule does not hold #}
select *
from {{ model }}
where
    not coalesce({{ expression }}, false)
    {% if where_clause %}and ({{ where_clause }}){% endif %}
{% endtest %}
