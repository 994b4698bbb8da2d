"""
# fxa_metrics_hourly

Hourly refresh of the SubPlat history chain (provider histories ->
`logical_subscriptions_history_v1`) and of the `recent_*` tables, as Mozilla's
`bqetl_subplat_hourly` does. These are whole-table rebuilds, so there is no catchup: only the
latest state matters. Each model is a task followed by its tests (Cosmos, `target/manifest.json`).

On DuckDB every dbt writer takes the one slot of the `fxa_metrics_duckdb` pool, shared with
`fxa_metrics_daily`, so the two DAGs never write the DuckDB file at the same time; the daily
DAG rebuilds the same chain itself before its daily/monthly tables, so it never waits on this one.
"""

from datetime import datetime, timedelta

from airflow.sdk import CronDataIntervalTimetable
from cosmos import DbtDag, RenderConfig
from cosmos.constants import LoadMode, TestBehavior
from fxa_metrics_common import (
    DEFAULT_ARGS,
    EXCLUDE,
    MAX_ACTIVE_TASKS,
    TAGS,
    cosmos_configs,
    hourly_selection,
    load_manifest,
    operator_args,
)

SCHEDULE = "0 * * * *"

fxa_metrics_hourly = DbtDag(
    dag_id="fxa_metrics_hourly",
    doc_md=__doc__,
    description="Hourly rebuild of the SubPlat history chain and the recent_* tables",
    schedule=CronDataIntervalTimetable(SCHEDULE, timezone="UTC"),
    start_date=datetime(2024, 1, 1),
    catchup=False,
    max_active_runs=1,
    max_active_tasks=MAX_ACTIVE_TASKS,
    # An hourly refresh that is 30 minutes late is stale: retry sooner than the daily DAG.
    default_args={**DEFAULT_ARGS, "retries": 1, "retry_delay": timedelta(minutes=5)},
    tags=[*TAGS, "hourly"],
    render_config=RenderConfig(
        load_method=LoadMode.DBT_MANIFEST,
        test_behavior=TestBehavior.AFTER_EACH,
        select=hourly_selection(load_manifest()),
        exclude=EXCLUDE,
        should_detach_multiple_parents_tests=True,
    ),
    # Whole-table rebuilds: no date vars (the recent_* tables compute their own window).
    operator_args=operator_args(None),
    **cosmos_configs(),
)
