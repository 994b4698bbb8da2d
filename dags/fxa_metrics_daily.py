"""
# fxa_metrics_daily

Daily build and test of the whole fxa_metrics dbt project (SubPlat and FxA), rendered by
astronomer-cosmos from `target/manifest.json`: each dbt model is a task followed by its data
tests, and a failing test stops everything downstream of it.

**Schedule**: 01:30 UTC, `catchup` on, one run at a time (the `*_last_seen` / `*_first_seen`
and monthly tables are stateful: days must be built in order). A run's logical date is the start
of its data interval, i.e. the UTC day that just ended (`ds`). dbt gets it as vars:

- `submission_date` = `ds` (FxA rollups), with `fxa_late_arrival_days` (default 1);
- `subplat_date` = `ds` - 7 days (SubPlat daily/monthly actives: late Stripe data).

A manual run without a logical date (Airflow 3) processes the last complete UTC day before it was
triggered. Retries: 2, 30 minutes apart. On DuckDB every dbt writer takes the one slot of the
`fxa_metrics_duckdb` pool, shared with `fxa_metrics_hourly` (one writer per DuckDB file).
Backfill a range in order with `make backfill START=YYYY-MM-DD END=YYYY-MM-DD`. dbt unit tests
are left to CI; `FXA_METRICS_DAILY_SELECT` narrows the DAG to some dbt selectors (tests).
"""

from datetime import datetime

from airflow.sdk import CronDataIntervalTimetable
from cosmos import DbtDag, RenderConfig
from cosmos.constants import LoadMode, TestBehavior
from fxa_metrics_common import (
    DAILY_SELECT,
    DEFAULT_ARGS,
    EXCLUDE,
    MAX_ACTIVE_TASKS,
    TAGS,
    USER_DEFINED_MACROS,
    cosmos_configs,
    dbt_vars_templates,
    operator_args,
)

SCHEDULE = "30 1 * * *"

fxa_metrics_daily = DbtDag(
    dag_id="fxa_metrics_daily",
    doc_md=__doc__,
    description="Build and test fxa_metrics for the day that just ended (SubPlat: 7 days back)",
    # Data-interval cron: the 01:30 run on day D+1 has logical date D (ds = the day to process).
    schedule=CronDataIntervalTimetable(SCHEDULE, timezone="UTC"),
    start_date=datetime(2024, 1, 1),
    catchup=True,
    max_active_runs=1,
    max_active_tasks=MAX_ACTIVE_TASKS,
    default_args=DEFAULT_ARGS,
    tags=TAGS,
    user_defined_macros=USER_DEFINED_MACROS,
    render_config=RenderConfig(
        load_method=LoadMode.DBT_MANIFEST,
        test_behavior=TestBehavior.AFTER_EACH,
        select=DAILY_SELECT,
        exclude=EXCLUDE,
        should_detach_multiple_parents_tests=True,
    ),
    operator_args=operator_args(dbt_vars_templates()),
    **cosmos_configs(),
)
