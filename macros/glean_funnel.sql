{% macro glean_funnel(funnels, steps, step_columns) -%}
{#- The body of a Glean funnel table (docs/fxa_events.md 2.13; Mozilla's sql_generators/funnels):
one row per
    (service, submission_date, funnel), one column per step = distinct session_flow_ids reaching
    the step. Step 1 is read from its app and event with a non-empty flow id; step k > 1 keeps the
    flows that reached step k-1 on the SAME submission_date and inherits its service. `service`
    = the frontend client id, else the service name, `sync` rewritten to the desktop-sync client
    id. A step no flow reached is NULL, as are steps outside the row's funnel.
    funnels: list of (funnel name, [step names]); steps: {step: (app, event)};
    step_columns: output order of the step columns.
    Reads int_glean_events; the caller's config decides the days (var submission_date). -#}
    {%- set day = run_day('submission_date') %}
with

glean_events as (
    select * from {{ ref('int_glean_events') }}
),

flow_events as (
    select
        app,
        event,
        submission_date,
        session_flow_id as flow_id,
        case
            when
                coalesce(
                    nullif(relying_party_oauth_client_id, ''), nullif(relying_party_service, '')
                ) = 'sync'
                then '5882386c6d801776'
            else coalesce(
                nullif(relying_party_oauth_client_id, ''), nullif(relying_party_service, '')
            )
        end as service
    from glean_events
    where
        session_flow_id != ''
        {% if is_incremental() and day -%}
        and submission_date = cast('{{ day }}' as date)
        {%- elif day -%}
        and submission_date <= cast('{{ day }}' as date)
    {%- endif %}
),
{% for funnel_name, funnel_steps in funnels %}
        {%- for step in funnel_steps %}

            {{ funnel_name }}__{{ step }} as (
            {%- if loop.first %}
    select distinct
        submission_date,
        flow_id,
        service
    from flow_events
    where app = '{{ steps[step][0] }}' and event = '{{ steps[step][1] }}'
    {%- else %}
    select distinct
        previous_step.submission_date,
        previous_step.flow_id,
        previous_step.service
    from flow_events
    inner join {{ funnel_name }}__{{ loop.previtem }} as previous_step
        on
            flow_events.submission_date = previous_step.submission_date
            and flow_events.flow_id = previous_step.flow_id
    where flow_events.app = '{{ steps[step][0] }}' and flow_events.event = '{{ steps[step][1] }}'
            {%- endif %}
),
        {%- endfor %}
    {%- endfor %}

step_counts as (
    {%- for funnel_name, funnel_steps in funnels %}
        {%- set outer = loop %}
        {%- for step in funnel_steps %}
    select
        service,
        submission_date,
        '{{ funnel_name }}' as funnel,
        '{{ step }}' as step,
        count(distinct flow_id) as flows
    from {{ funnel_name }}__{{ step }}
    group by service, submission_date
    {% if not (outer.last and loop.last) %}union all{% endif %}
        {%- endfor %}
    {%- endfor %}
),

pivoted as (
    select
        service,
        submission_date,
        funnel,
    {%- for step in step_columns %}
        max(case when step = '{{ step }}' then flows end) as {{ step }}{{ "," if not loop.last }}
    {%- endfor %}
    from step_counts
    group by service, submission_date, funnel
)

select * from pivoted
{%- endmacro %}
