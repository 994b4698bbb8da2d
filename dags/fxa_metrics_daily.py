"""
# fxa_metrics_daily

Daily build and test of the whole fxa_metrics dbt project (SubPlat and FxA): one `dbt build`
(`DbtBuildOperator`, dags/fxa_metrics_common.py) that runs each model followed by its data
tests, in dbt's order; a failing test makes dbt skip everything downstream of it, and the
task's log (ERROR lines) and XComs `dbt_failed` / `dbt_skipped` name the failed tests and
the nodes not run.

**Schedule**: 01:30 UTC, one run at a time (the `*_last_seen` / `*_first_seen` and monthly
tables are stateful: days must be built in order). A run's logical date is the start of its data
interval, i.e. the UTC day that just ended (`ds`). dbt gets it as the environment variable
`FXA_METRICS_RUN_DATE` and derives the FxA day (= `ds`) and the SubPlat day (`ds` - 7 days,
`subplat_delay_days` in dbt_project.yml) itself.

**Start date**: `FXA_METRICS_START_DATE` (required off the demo; the demo's default is its last
day, 2024-04-30, with `FXA_METRICS_END_DATE` = that day: one run). Catch-up is off unless
`FXA_METRICS_CATCHUP=true` or an end date bounds the range. Backfill a range in order with
`make backfill START=YYYY-MM-DD END=YYYY-MM-DD` or `airflow backfill create` (README).

A manual run without a logical date (Airflow 3) processes the last complete UTC day before it was
triggered. Retries: 2, 30 minutes apart. On DuckDB the task takes the one slot of the
`fxa_metrics_duckdb` pool, shared with `fxa_metrics_hourly`, and the warehouse lock (one writer
per DuckDB file). dbt unit tests are left to CI; `FXA_METRICS_DAILY_SELECT` narrows the build to
some dbt selectors (tests).
"""

from airflow.sdk import DAG, CronDataIntervalTimetable
from fxa_metrics_common import (
    DAILY_SELECT,
    DEFAULT_ARGS,
    RUN_DATE_TEMPLATE,
    TAGS,
    USER_DEFINED_MACROS,
    dbt_build_task,
    run_date_env,
    schedule_window,
)

SCHEDULE = "30 1 * * *"
START_DATE, END_DATE, CATCHUP = schedule_window()

with DAG(
    dag_id="fxa_metrics_daily",
    doc_md=__doc__,
    description="Build and test fxa_metrics for the day that just ended (SubPlat: 7 days back)",
    # Data-interval cron: the 01:30 run on day D+1 has logical date D (ds = the day to process).
    schedule=CronDataIntervalTimetable(SCHEDULE, timezone="UTC"),
    start_date=START_DATE,
    end_date=END_DATE,
    catchup=CATCHUP,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=TAGS,
    user_defined_macros=USER_DEFINED_MACROS,
) as fxa_metrics_daily:
    dbt_build_task("dbt_build", select=DAILY_SELECT, env=run_date_env(RUN_DATE_TEMPLATE))
