{% macro glean_column(path) -%}
    {#- A nested events_stream field: `metrics.string.x` on BigQuery, `metrics__string__x` when
        the raw table is flattened (CSV demo seeds; var glean_raw_flattened, default: not BigQuery) -#}
    {%- if var('glean_raw_flattened', target.type != 'bigquery') -%}
        {{ path | replace('.', '__') }}
    {%- else -%}
        {{ path }}
    {%- endif -%}
{%- endmacro %}
