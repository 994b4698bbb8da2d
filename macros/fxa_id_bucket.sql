{% macro fxa_id_bucket(expression) -%}
    {{ return(adapter.dispatch('fxa_id_bucket', 'fxa_metrics')(expression)) }}
{%- endmacro %}

{# exact_mau28 id_bucket 0..19. BigQuery: Mozilla's |FARM_FINGERPRINT| mod 20. DuckDB has no
   FarmHash: its own hash() mod 20, so bucket membership differs (sums are equal; fidelity Q13) #}
{% macro default__fxa_id_bucket(expression) -%}
    cast(hash({{ expression }}) % 20 as bigint)
{%- endmacro %}

{% macro bigquery__fxa_id_bucket(expression) -%}
    mod(abs(farm_fingerprint({{ expression }})), 20)
{%- endmacro %}
