{#
    Rule R1 (docs/fxa_events.md 4.2): an event of a user is admitted unless its time is at or after
    the user's metrics_opt_out_at in the snapshot governing its day (int_fxa_users_metrics_opt_out).
    Var fxa_opt_out_filter=false (fidelity Q1) admits everything, as Mozilla's SQL does.
#}
{% macro fxa_opt_out_admits(event_at, opt_out_at) -%}
    {%- if var('fxa_opt_out_filter', true) -%}
    ({{ opt_out_at }} is null or {{ event_at }} < {{ opt_out_at }})
    {%- else -%}
        (1 = 1)
    {%- endif -%}
{%- endmacro %}
