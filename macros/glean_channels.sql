{% macro glean_channels() -%}
    {#- Glean app channels admitted into the rollups (fidelity register Q8): var glean_channels,
        else `stage` on the bigquery_stage target and `production` everywhere else -#}
    {%- set configured = var('glean_channels', none) -%}
    {%- if configured is none -%}
        {%- set configured = ['stage'] if target.name == 'bigquery_stage' else ['production'] -%}
    {%- elif configured is string -%}
        {%- set configured = [configured] -%}
    {%- endif -%}
    {%- for channel in configured -%}
        '{{ channel }}'{{ ", " if not loop.last }}
    {%- endfor -%}
{%- endmacro %}
