{% test unique_combination(model, columns) %}
{# a failing row is a combination of the key columns that occurs more than once #}
select
    {{ columns | join(', ') }},
    count(*) as occurrences
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
