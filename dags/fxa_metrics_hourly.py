"""
# fxa_metrics_hourly

Hourly refresh of the SubPlat history chain (provider histories ->
`logical_subscriptions_history_v1`) and of the `recent_*` tables, as Mozilla's
`bqetl_subplat_hourly` does: one `dbt build` of those models and their parents, each model
followed by its tests (`DbtBuildOperator`). These are whole-table rebuilds, so
there is no catch-up: only the latest state matters.

On DuckDB the task takes the one slot of the `fxa_metrics_duckdb` pool, shared with
`fxa_metrics_daily`, and the warehouse lock, so the two DAGs never write the DuckDB file at the
same time; the daily DAG rebuilds the same chain itself before its daily/monthly tables, so it
never waits on this one.
"""

from datetime import timedelta

from airflow.sdk import DAG, CronDataIntervalTimetable
from fxa_metrics_common import DEFAULT_ARGS, HOURLY_SELECT, TAGS, dbt_build_task, schedule_window

SCHEDULE = "0 * * * *"

with DAG(
    dag_id="fxa_metrics_hourly",
    doc_md=__doc__,
    description="Hourly rebuild of the SubPlat history chain and the recent_* tables",
    schedule=CronDataIntervalTimetable(SCHEDULE, timezone="UTC"),
    # Same first day as the daily DAG; no end date, no catch-up: one run, then one an hour.
    start_date=schedule_window()[0],
    catchup=False,
    max_active_runs=1,
    # An hourly refresh that is 30 minutes late is stale: retry sooner than the daily DAG.
    default_args={**DEFAULT_ARGS, "retries": 1, "retry_delay": timedelta(minutes=5)},
    tags=[*TAGS, "hourly"],
) as fxa_metrics_hourly:
    # Whole-table rebuilds: no run date (the recent_* tables compute their own window).
    dbt_build_task("dbt_build", select=HOURLY_SELECT)
