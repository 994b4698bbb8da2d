"""A fresh Airflow with both DAGs unpaused schedules one run per DAG, and both succeed (17.2).

A real scheduler (`airflow standalone` in a temporary AIRFLOW_HOME, scheduled_run.py) with the
demo defaults: no start-date setting, both DAGs unpaused as soon as the API server answers.
Before, the daily DAG's start date 2024-01-01 with catch-up queued ~1,070 daily runs. The daily
and the hourly runs are narrowed to one staging model each (FXA_METRICS_*_SELECT, CI time).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.airflow, pytest.mark.slow]

HARNESS = Path(__file__).with_name("scheduled_run.py")
# Tiny builds (CI time): this test is about what the scheduler creates and runs.
DAILY_SELECT = "stg_stripe__products"
HOURLY_SELECT = "stg_stripe__plans"
TIMEOUT_SECONDS = 900


@pytest.fixture(scope="module")
def scheduled(built_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    report = tmp_path_factory.mktemp("scheduler") / "report.json"
    command = [
        sys.executable,
        str(HARNESS),
        "--report",
        str(report),
        "--warehouse",
        str(built_warehouse),
        "--env",
        f"FXA_METRICS_DAILY_SELECT={DAILY_SELECT}",
        "--env",
        f"FXA_METRICS_HOURLY_SELECT={HOURLY_SELECT}",
        "--timeout",
        str(TIMEOUT_SECONDS - 120),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS)
    assert report.exists(), result.stdout[-4000:] + result.stderr[-4000:]
    data = json.loads(report.read_text())
    assert result.returncode == 0, {k: data[k] for k in ("outcome", "workdir", "dag_runs")}
    return data


def test_one_scheduled_run_per_dag(scheduled: dict) -> None:
    runs = scheduled["dag_runs"]
    per_dag = {
        dag_id: [r for r in runs if r["dag_id"] == dag_id]
        for dag_id in {"fxa_metrics_daily", "fxa_metrics_hourly"}
    }
    print(  # noqa: T201 (shown with -s)
        "scheduler: "
        + ", ".join(f"{r['dag_id']} {r['logical_date']} {r['wall_seconds']} s" for r in runs)
    )
    assert {dag_id: len(found) for dag_id, found in per_dag.items()} == {
        "fxa_metrics_daily": 1,
        "fxa_metrics_hourly": 1,
    }
    assert {r["run_type"] for r in runs} == {"scheduled"}
    # The demo's last day, not 2024-01-01 and not yesterday.
    assert per_dag["fxa_metrics_daily"][0]["logical_date"].startswith("2024-04-30")


def test_both_runs_succeed_first_time(scheduled: dict) -> None:
    assert {r["state"] for r in scheduled["dag_runs"]} == {"success"}
    tasks = scheduled["task_instances"]
    assert {(t["dag_id"], t["task_id"], t["state"], t["try_number"]) for t in tasks} == {
        ("fxa_metrics_daily", "dbt_build", "success", 1),
        ("fxa_metrics_hourly", "dbt_build", "success", 1),
    }
