"""Real runs of the fxa_metrics DAGs with `dag.test()`, started concurrently, on warehouse copies.

Four processes at once, each DAG run with its own AIRFLOW_HOME and SQLite metadata DB (see
dag_runner.py), with retries off so that any error is final:

- on ONE shared copy of the `make build` warehouse (rows of the day deleted first): a good
  `fxa_metrics_daily` run, an `fxa_metrics_hourly` run and `dbt docs generate` under the
  warehouse lock (what `make docs` runs). Three writers of one DuckDB file: all must succeed, with
  no DuckDB lock error, the second and third waiting for the lock (17.1); the daily run must
  rebuild the day's rows, its dbt getting the day as FXA_METRICS_RUN_DATE, not as `--vars`;
- on a second copy, a bad `fxa_metrics_daily` run: one duplicate Stripe product row is injected;
  the key test (column_rules, unique product_id) of `stg_stripe__products` fails, so the run
  fails, dbt skips everything downstream of it (`daily_active_logical_subscriptions_v1`), the
  FxA chain still runs, and the task's log and XCom name the failing test.

Alongside, on a third copy, a real scheduler (`airflow standalone` via scheduled_run.py, demo
defaults, both DAGs unpaused as soon as the API server answers) must schedule one run per DAG
(17.2: the old start date 2024-01-01 with catch-up queued ~1,070 daily runs), both successful at
the first try; its daily and hourly builds are narrowed to one staging model each.

The daily runs are narrowed with FXA_METRICS_DAILY_SELECT to one SubPlat chain (Stripe ->
logical history -> daily actives) and one FxA chain (log staging -> fxa_users_daily_v1), the
hourly one with FXA_METRICS_HOURLY_SELECT to one Stripe staging model (CI time: the lock makes
the three writers take turns, so their times add up).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest

pytestmark = [pytest.mark.airflow, pytest.mark.slow]

PROJECT_DIR = Path(__file__).resolve().parents[2]
RUNNER = Path(__file__).with_name("dag_runner.py")
HARNESS = Path(__file__).with_name("scheduled_run.py")
DAG_ID = "fxa_metrics_daily"
DAG_IDS = (DAG_ID, "fxa_metrics_hourly")
LOGICAL_DATE = "2024-03-15"
SUBPLAT_DATE = "2024-03-08"  # logical date - 7 days (SubPlat delay)
RUN_SELECT = "+daily_active_logical_subscriptions_v1 +fxa_users_daily_v1"
# The hourly writer rebuilds a small part of its chain (CI time): it only has to write the file.
HOURLY_RUN_SELECT = "+stg_stripe__products"
RUN_TIMEOUT_SECONDS = 900
LOCK_ERROR = "Could not set lock"

# (table, date column, day the run must rebuild)
REBUILT_DAYS = (
    ("firefox_accounts_derived.fxa_users_daily_v1", "submission_date", LOGICAL_DATE),
    ("subscription_platform_derived.daily_active_logical_subscriptions_v1", "date", SUBPLAT_DATE),
)
# the column_rules test of stg_stripe__products (not_null + unique on product_id)
BAD_TEST = "column_rules_stg_stripe__products_product_id__product_id"
SUBPLAT_ACTIVES = "daily_active_logical_subscriptions_v1"


@dataclass(frozen=True)
class RunResult:
    report: dict[str, Any]
    log: str
    duckdb_path: Path
    rows_before: dict[str, int]


def count_rows(path: Path, table: str, column: str, day: str) -> int:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(f"select count(*) from {table} where {column} = ?", [day]).fetchone()[0]


def prepare_good_copy(path: Path) -> dict[str, int]:
    """Delete the days the run must rebuild; return how many rows each had."""
    before = {table: count_rows(path, table, column, day) for table, column, day in REBUILT_DAYS}
    with duckdb.connect(str(path)) as con:
        for table, column, day in REBUILT_DAYS:
            con.execute(f"delete from {table} where {column} = ?", [day])
    return before


def prepare_bad_copy(path: Path) -> None:
    """One Stripe product twice: the staging model's `unique` key test must fail."""
    with duckdb.connect(str(path)) as con:
        con.execute("insert into stripe.product select * from stripe.product limit 1")


def run_env(workdir: Path, duckdb_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "AIRFLOW_HOME": str(workdir / "airflow_home"),
            "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_DIR / "dags"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "FXA_METRICS_DUCKDB_PATH": str(duckdb_path),
            "FXA_METRICS_DAILY_SELECT": RUN_SELECT,
            "FXA_METRICS_HOURLY_SELECT": HOURLY_RUN_SELECT,
            # A deployment whose first day is the one tested (the demo default is 2024-04-30:
            # Airflow creates no task instance for a logical date before the start date).
            "FXA_METRICS_START_DATE": LOGICAL_DATE,
            "FXA_METRICS_AIRFLOW_TARGET_DIR": str(workdir / "target_airflow"),
            "DBT_PROFILES_DIR": env.get("DBT_PROFILES_DIR", str(PROJECT_DIR)),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "PYTHONPATH": str(PROJECT_DIR),
        }
    )
    env.pop("FXA_METRICS_RUN_DATE", None)
    return env


def start_process(workdir: Path, duckdb_path: Path, command: list[str]) -> subprocess.Popen:
    log = (workdir / "run.log").open("wb")
    return subprocess.Popen(
        command,
        cwd=PROJECT_DIR,
        env=run_env(workdir, duckdb_path),
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def start_dag_run(workdir: Path, duckdb_path: Path, dag_id: str) -> subprocess.Popen:
    report = str(workdir / "report.json")
    command = [sys.executable, str(RUNNER), dag_id, LOGICAL_DATE, report]
    return start_process(workdir, duckdb_path, command)


def start_docs(workdir: Path, duckdb_path: Path) -> subprocess.Popen:
    """`make docs`' dbt command (Makefile, docs-static), under the warehouse lock."""
    dbt = PROJECT_DIR / ".venv" / "bin" / "dbt"
    docs = ["docs", "generate", "--static", "--target-path", str(workdir / "docs")]
    lock = [sys.executable, "-m", "fxa_metrics_tools.warehouse_lock", "--"]
    return start_process(workdir, duckdb_path, [*lock, str(dbt), *docs])


# Tiny builds for the real scheduler (CI time): that test is about what it creates and runs.
SCHEDULER_SELECTS = {
    "FXA_METRICS_DAILY_SELECT": "stg_stripe__products",
    "FXA_METRICS_HOURLY_SELECT": "stg_stripe__plans",
}


def start_scheduler(workdir: Path, warehouse: Path) -> subprocess.Popen:
    report = workdir / "scheduler.json"
    command = [sys.executable, str(HARNESS), "--report", str(report), "--warehouse", str(warehouse)]
    for name, value in SCHEDULER_SELECTS.items():
        command += ["--env", f"{name}={value}"]
    command += ["--timeout", str(RUN_TIMEOUT_SECONDS - 120)]
    log = (workdir / "run.log").open("wb")
    env = {k: v for k, v in os.environ.items() if not k.startswith("FXA_METRICS_START")}
    return subprocess.Popen(command, cwd=PROJECT_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)


def finish(process: subprocess.Popen, workdir: Path, deadline: float) -> tuple[dict | None, str]:
    try:
        process.wait(timeout=max(1.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    log = (workdir / "run.log").read_text(errors="replace")
    if process.returncode != 0:
        raise AssertionError(f"{process.args[:4]} failed ({process.returncode}):\n{log[-8000:]}")
    report_path = workdir / "report.json"
    return (json.loads(report_path.read_text()) if report_path.exists() else None), log


@pytest.fixture(scope="module")
def dag_runs(built_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Start the three writers of the shared copy and the bad run together; wait for all."""
    shared_dir = tmp_path_factory.mktemp("shared_warehouse")
    shared = shared_dir / "warehouse.duckdb"
    shutil.copyfile(built_warehouse, shared)
    before = prepare_good_copy(shared)
    bad_dir = tmp_path_factory.mktemp("bad_warehouse")
    bad = bad_dir / "warehouse.duckdb"
    shutil.copyfile(built_warehouse, bad)
    prepare_bad_copy(bad)

    names = ("good", "hourly", "docs", "bad", "scheduler")
    workdirs = {name: tmp_path_factory.mktemp(name) for name in names}
    processes = {
        "scheduler": start_scheduler(workdirs["scheduler"], built_warehouse),
        "good": start_dag_run(workdirs["good"], shared, DAG_ID),
        "hourly": start_dag_run(workdirs["hourly"], shared, "fxa_metrics_hourly"),
        "docs": start_docs(workdirs["docs"], shared),
        "bad": start_dag_run(workdirs["bad"], bad, DAG_ID),
    }
    deadline = time.monotonic() + RUN_TIMEOUT_SECONDS
    results = {}
    for name, process in processes.items():
        report, log = finish(process, workdirs[name], deadline)
        results[name] = RunResult(report or {}, log, bad if name == "bad" else shared, before)
    scheduler_report = workdirs["scheduler"] / "scheduler.json"
    assert scheduler_report.exists(), results["scheduler"].log[-4000:]
    results["scheduler"] = json.loads(scheduler_report.read_text())
    return results


# --- one warehouse, three writers at once ------------------------------------------------------


def test_three_writers_of_one_warehouse_all_succeed_without_lock_errors(dag_runs: dict) -> None:
    for name in ("good", "hourly"):
        report = dag_runs[name].report
        print(  # noqa: T201 (figures for the closing note, shown with -s)
            f"dag.test() {report['dag_id']} {LOGICAL_DATE}: {report['wall_seconds']} s"
        )
        assert report["dag_run_state"] == "success", (name, report["task_states"])
        assert set(report["task_states"].values()) == {"success"}, name
        assert set(report["try_numbers"].values()) == {1}, f"{name} retried"
    for name in ("good", "hourly", "docs"):
        assert LOCK_ERROR not in dag_runs[name].log, name
    assert "Catalog written to" in dag_runs["docs"].log
    # They did overlap: at least two of the three waited for the lock, naming its holder.
    waited = [
        name
        for name in ("good", "hourly", "docs")
        if "warehouse_lock: waiting for" in dag_runs[name].log
    ]
    assert len(waited) >= 2, f"only {waited} waited for the warehouse lock"
    assert all("held by pid" in dag_runs[name].log for name in waited)


def test_good_run_rebuilt_the_days_of_its_logical_date(dag_runs: dict) -> None:
    run = dag_runs["good"]
    for table, column, day in REBUILT_DAYS:
        assert run.rows_before[table] > 0, f"the demo warehouse has no {table} rows for {day}"
        assert count_rows(run.duckdb_path, table, column, day) == run.rows_before[table], (
            f"{table} for {column} = {day}"
        )


def test_good_run_passed_the_day_in_the_environment_not_as_vars(dag_runs: dict) -> None:
    run = dag_runs["good"]
    assert run.report["dbt_env"] == {"FXA_METRICS_RUN_DATE": LOGICAL_DATE}
    commands = [line for line in run.log.splitlines() if "running " in line and " build " in line]
    assert commands and all("--vars" not in line for line in commands), commands


# --- the bad run -------------------------------------------------------------------------------


def test_bad_run_fails_and_dbt_runs_nothing_downstream_of_the_test(dag_runs: dict) -> None:
    report = dag_runs["bad"].report
    assert report["dag_run_state"] == "failed"
    assert report["task_states"] == {"dbt_build": "failed"}
    failed = report["xcoms"]["dbt_failed"]
    assert [entry.split(" ")[0] for entry in failed] == [BAD_TEST], failed
    skipped = set(report["xcoms"]["dbt_skipped"])
    assert {"stripe_logical_subscriptions_history_v1", SUBPLAT_ACTIVES} <= skipped, skipped
    # The FxA chain does not read Stripe: it still ran.
    assert not skipped & {"fxa_users_daily_v1", "stg_fxa_logs__log_lines"}, skipped


def test_bad_run_log_names_the_failing_test(dag_runs: dict) -> None:
    log = dag_runs["bad"].log
    assert f"dbt node failed: {BAD_TEST} (test): Got 1 result" in log, log[-4000:]
    assert f"dbt build exited with 1: {BAD_TEST}" in log


# --- a real scheduler's first runs -------------------------------------------------------------


def test_fresh_scheduler_schedules_one_run_per_dag(dag_runs: dict) -> None:
    runs = dag_runs["scheduler"]["dag_runs"]
    print(  # noqa: T201 (shown with -s)
        "scheduler: "
        + ", ".join(f"{r['dag_id']} {r['logical_date']} {r['wall_seconds']} s" for r in runs)
    )
    per_dag = {dag_id: [r for r in runs if r["dag_id"] == dag_id] for dag_id in DAG_IDS}
    assert {dag_id: len(found) for dag_id, found in per_dag.items()} == dict.fromkeys(DAG_IDS, 1)
    assert {r["run_type"] for r in runs} == {"scheduled"}
    # The demo's last day, not 2024-01-01 and not yesterday.
    assert per_dag[DAG_ID][0]["logical_date"].startswith("2024-04-30")


def test_fresh_scheduler_runs_succeed_first_time(dag_runs: dict) -> None:
    scheduled = dag_runs["scheduler"]
    assert {r["state"] for r in scheduled["dag_runs"]} == {"success"}
    tasks = {
        (t["dag_id"], t["task_id"], t["state"], t["try_number"])
        for t in scheduled["task_instances"]
    }
    assert tasks == {(dag_id, "dbt_build", "success", 1) for dag_id in DAG_IDS}
