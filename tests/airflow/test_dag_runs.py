"""Real runs of fxa_metrics_daily with `dag.test()` on copies of the demo warehouse.

Two runs of the same logical date, started side by side (each its own AIRFLOW_HOME, SQLite
metadata DB and DuckDB copy; see dag_runner.py):

- **good**: the rows of the day were deleted from the copy first; the run must end with every
  task in success and those rows rebuilt, with the vars the DAG derives from the logical date;
- **bad**: one duplicate Stripe product row is injected; the `unique` test of
  `stg_stripe__products` fails, so its test task fails, everything downstream of it is
  `upstream_failed` (never run), and the run's log names the failing test.

The rendered graph is narrowed with FXA_METRICS_DAILY_SELECT to one SubPlat chain (Stripe ->
logical history -> daily actives) and one FxA chain (log staging -> fxa_users_daily_v1), about a
third of the project: the whole DAG takes ~6 minutes on 2 busy cores, over the CI budget.
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
DAG_ID = "fxa_metrics_daily"
LOGICAL_DATE = "2024-03-15"
SUBPLAT_DATE = "2024-03-08"  # logical date - 7 days (SubPlat delay)
RUN_SELECT = "+daily_active_logical_subscriptions_v1 +fxa_users_daily_v1"
RUN_TIMEOUT_SECONDS = 900

# (table, date column, day the run must rebuild)
REBUILT_DAYS = (
    ("firefox_accounts_derived.fxa_users_daily_v1", "submission_date", LOGICAL_DATE),
    ("subscription_platform_derived.daily_active_logical_subscriptions_v1", "date", SUBPLAT_DATE),
)
BAD_MODEL = "stg_stripe__products"
BAD_TEST = "unique_stg_stripe__products_product_id"


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


def start_run(workdir: Path, duckdb_path: Path) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    env.update(
        {
            "AIRFLOW_HOME": str(workdir / "airflow_home"),
            "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_DIR / "dags"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "FXA_METRICS_DUCKDB_PATH": str(duckdb_path),
            "FXA_METRICS_DAILY_SELECT": RUN_SELECT,
            "DBT_PROFILES_DIR": env.get("DBT_PROFILES_DIR", str(PROJECT_DIR)),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "DO_NOT_TRACK": "1",  # no Cosmos usage metrics from the test
        }
    )
    log = (workdir / "run.log").open("wb")
    return subprocess.Popen(
        [sys.executable, str(RUNNER), DAG_ID, LOGICAL_DATE, str(workdir / "report.json")],
        cwd=PROJECT_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def finish_run(process: subprocess.Popen[bytes], workdir: Path, deadline: float) -> tuple:
    try:
        process.wait(timeout=max(1.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    log = (workdir / "run.log").read_text(errors="replace")
    report_path = workdir / "report.json"
    if process.returncode != 0 or not report_path.exists():
        raise AssertionError(f"dag.test() runner failed ({process.returncode}):\n{log[-8000:]}")
    return json.loads(report_path.read_text()), log


@pytest.fixture(scope="module")
def dag_runs(built_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Start the good and the bad run side by side; wait for both."""
    runs: dict[str, tuple[Path, Path, dict[str, int]]] = {}
    for name in ("good", "bad"):
        workdir = tmp_path_factory.mktemp(f"dag_test_{name}")
        copy = workdir / "warehouse.duckdb"
        shutil.copyfile(built_warehouse, copy)
        before = prepare_good_copy(copy) if name == "good" else {}
        if name == "bad":
            prepare_bad_copy(copy)
        runs[name] = (workdir, copy, before)
    processes = {name: start_run(workdir, copy) for name, (workdir, copy, _) in runs.items()}
    deadline = time.monotonic() + RUN_TIMEOUT_SECONDS
    results = {}
    for name, process in processes.items():
        workdir, copy, before = runs[name]
        report, log = finish_run(process, workdir, deadline)
        results[name] = RunResult(report, log, copy, before)
    return results


def descendants(upstream: dict[str, list[str]], task_id: str) -> set[str]:
    downstream: dict[str, set[str]] = {}
    for child, parents in upstream.items():
        for parent in parents:
            downstream.setdefault(parent, set()).add(child)
    seen: set[str] = set()
    stack = [task_id]
    while stack:
        for child in downstream.get(stack.pop(), ()):
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return seen


# --- the good run ------------------------------------------------------------------------------


def test_good_run_ends_with_every_task_in_success(dag_runs: dict) -> None:
    report = dag_runs["good"].report
    print(  # noqa: T201 (figures for the closing note, shown with -s)
        f"dag.test() {DAG_ID} {LOGICAL_DATE}: {report['task_count']} tasks, "
        f"{report['wall_seconds']} s"
    )
    not_successful = {t: s for t, s in report["task_states"].items() if s != "success"}
    assert not not_successful, not_successful
    assert report["dag_run_state"] == "success"
    for task_id in ("daily_active_logical_subscriptions_v1.test", "fxa_users_daily_v1.test"):
        assert task_id in report["task_states"]


def test_good_run_rebuilt_the_days_of_its_logical_date(dag_runs: dict) -> None:
    run = dag_runs["good"]
    for table, column, day in REBUILT_DAYS:
        assert run.rows_before[table] > 0, f"the demo warehouse has no {table} rows for {day}"
        assert count_rows(run.duckdb_path, table, column, day) == run.rows_before[table], (
            f"{table} for {column} = {day}"
        )


def test_good_run_passed_the_dates_as_dbt_vars(dag_runs: dict) -> None:
    producer_vars = dag_runs["good"].report["producer_vars"]
    assert producer_vars["submission_date"] == LOGICAL_DATE
    assert producer_vars["subplat_date"] == SUBPLAT_DATE


# --- the bad run -------------------------------------------------------------------------------


def test_bad_run_fails_the_test_task_and_runs_nothing_downstream(dag_runs: dict) -> None:
    report = dag_runs["bad"].report
    states = report["task_states"]
    assert report["dag_run_state"] == "failed"
    assert states[f"{BAD_MODEL}.run"] == "success"
    assert states[f"{BAD_MODEL}.test"] == "failed"
    downstream = descendants(report["upstream"], f"{BAD_MODEL}.test")
    assert "daily_active_logical_subscriptions_v1.run" in downstream
    not_skipped = {t: states[t] for t in downstream if states[t] != "upstream_failed"}
    assert not not_skipped, f"ran although {BAD_MODEL}'s tests failed: {not_skipped}"
    # The FxA chain does not read Stripe: it still ran and passed.
    assert states["fxa_users_daily_v1.test"] == "success"


def test_bad_run_log_names_the_failing_test(dag_runs: dict) -> None:
    log = dag_runs["bad"].log
    failure_lines = [line for line in log.splitlines() if "Failure in test" in line]
    assert any(BAD_TEST in line for line in failure_lines), failure_lines or log[-4000:]
    # The failed test task's own log (on_failure_callback of the DAGs) names it too.
    callback_lines = [
        line for line in log.splitlines() if f"dbt tests of model.fxa_metrics.{BAD_MODEL}" in line
    ]
    assert any(f"failed: {BAD_TEST}" in line for line in callback_lines), callback_lines
