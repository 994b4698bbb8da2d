{#
    The one run-date contract. `run_day('submission_date')` is the day the FxA rollups process
    and `run_day('subplat_date')` the day the SubPlat daily/monthly tables process, as
    'YYYY-MM-DD', or none (no date: set-based build of every day).

    Where the day comes from, first match wins:
    1. the var of that name (`--vars '{submission_date: ...}'`), for tests and one-off runs;
    2. the run date: var `run_date`, else the environment variable FXA_METRICS_RUN_DATE (what
       the DAGs and the backfill set); submission_date = run date - `fxa_submission_delay_days`,
       subplat_date = run date - `subplat_delay_days` (both defined once, in dbt_project.yml).
    The environment variable is read only at execution: dbt records the env vars read while
    parsing and re-parses their files when they change, so a new day keeps the parse valid.
#}
{% macro run_day(name) -%}
    {%- set delays = {
        'submission_date': 'fxa_submission_delay_days',
        'subplat_date': 'subplat_delay_days',
    } -%}
    {%- if name not in delays -%}
        {{ exceptions.raise_compiler_error(
            "run_day(): unknown day '" ~ name ~ "' (submission_date or subplat_date)") }}
    {%- endif -%}
    {%- set explicit = var(name, none) -%}
    {%- if explicit -%}
        {{ return(_run_day_checked(explicit, 'var ' ~ name)) }}
    {%- endif -%}
    {%- set run_date = var('run_date', none) -%}
    {%- set origin = 'var run_date' -%}
    {%- if not run_date and execute -%}
        {%- set run_date = env_var('FXA_METRICS_RUN_DATE', '') -%}
        {%- set origin = 'FXA_METRICS_RUN_DATE' -%}
    {%- endif -%}
    {%- if not run_date -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set day = modules.datetime.date.fromisoformat(_run_day_checked(run_date, origin))
        - modules.datetime.timedelta(days=var(delays[name]) | int) -%}
    {{ return(day.isoformat()) }}
{%- endmacro %}

{% macro _run_day_checked(value, origin) -%}
    {%- set text = value | string | trim -%}
    {%- if not modules.re.fullmatch('[0-9]{4}-[0-9]{2}-[0-9]{2}', text) -%}
        {{ exceptions.raise_compiler_error(
            origin ~ " must be a day as YYYY-MM-DD, got '" ~ text ~ "'") }}
    {%- endif -%}
    {{ return(text) }}
{%- endmacro %}
