"""Settings shared by the fxa_metrics DAGs: paths, dbt target, start date, the dbt build task.

No Airflow DAG lives here. Everything comes from the environment with defaults that work in a
checkout (`make airflow-setup`), and nothing secret: BigQuery credentials reach dbt through
`profiles.yml`, which reads them from the environment.

| variable | default | meaning |
|---|---|---|
| `FXA_METRICS_PROJECT_DIR` | the repo (parent of `dags/`) | the dbt project |
| `FXA_METRICS_TARGET` | `duckdb` | dbt target: `duckdb`, `bigquery_stage`, `bigquery` |
| `FXA_METRICS_DBT_EXECUTABLE` | `<project>/.venv/bin/dbt` | dbt lives in its own virtualenv |
| `FXA_METRICS_AIRFLOW_TARGET_DIR` | `<project>/target_airflow` | the DAGs' own dbt artifacts |
| `DBT_PROFILES_DIR` | the project | where `profiles.yml` is |
| `FXA_METRICS_START_DATE` | demo: `2024-04-30`; else required | first day the daily DAG runs |
| `FXA_METRICS_END_DATE` | demo: the start date; else none | last day the daily DAG runs |
| `FXA_METRICS_CATCHUP` | `true` with an end date, else `false` | schedule the missed days |
| `FXA_METRICS_DBT_POOL` | `fxa_metrics_duckdb` on DuckDB | Airflow pool every dbt writer uses |
| `FXA_METRICS_DAILY_SELECT` | empty: all | dbt selectors (space-separated) narrowing the DAG |
| `FXA_METRICS_HOURLY_SELECT` | the history chain, `recent_*` | the hourly DAG's dbt selectors |

Each DAG run is ONE `dbt build` (`DbtBuildOperator`): dbt orders the models and their tests
itself, a failing test makes dbt skip everything downstream of it, and the task's log and XCom
name the failed and the skipped nodes (`summarize_run_results`). This replaced Cosmos' watcher
mode (one sensor task per model and per model's tests, rendered from the manifest at every
parse): measured on 2 cores (README, "Airflow"), starting those task processes cost several times
the dbt time, and importing Cosmos alone took over a second of each DAG file parse.

The run date reaches dbt as the environment variable FXA_METRICS_RUN_DATE (the run's logical
date), never as `--vars`: dbt reads it at execution only, so its partial parse stays valid from
one day to the next. dbt derives both processing days from it (macros/run_day.sql; the SubPlat
delay is defined once, in dbt_project.yml).
"""

from __future__ import annotations

import json
import logging
import os
import shlex
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

# `run_day` and the settings are also imported outside Airflow (the backfill runs in .venv, which
# has no Airflow): only the operator needs it.
try:
    from airflow.sdk import BaseOperator
except ImportError:  # .venv: tests/dags_common
    BaseOperator = object

PROJECT_DIR = Path(
    os.environ.get("FXA_METRICS_PROJECT_DIR", Path(__file__).resolve().parents[1])
).resolve()
# The lock module is standard library only: importable from Airflow's virtualenv.
if str(PROJECT_DIR) not in sys.path:
    sys.path.append(str(PROJECT_DIR))
from fxa_metrics_tools import warehouse_lock  # noqa: E402

TARGET = os.environ.get("FXA_METRICS_TARGET", "duckdb")
TARGETS = ("duckdb", "bigquery_stage", "bigquery")
DBT_EXECUTABLE = Path(
    os.environ.get("FXA_METRICS_DBT_EXECUTABLE", PROJECT_DIR / ".venv" / "bin" / "dbt")
)
# The DAGs' own dbt artifacts: `<this>/target/` holds the manifest and the partial parse that
# `make airflow-setup` writes and each run refreshes. `make docs` and `make lineage` rewrite
# target/, never this folder; the DAGs' shape does not depend on any manifest.
AIRFLOW_TARGET_DIR = Path(
    os.environ.get("FXA_METRICS_AIRFLOW_TARGET_DIR", PROJECT_DIR / "target_airflow")
)
PROFILES_YML = Path(os.environ.get("DBT_PROFILES_DIR", PROJECT_DIR)) / "profiles.yml"
# Empty = the whole project. The DAG tests narrow the daily DAG to a few chains this way.
DAILY_SELECT = os.environ.get("FXA_METRICS_DAILY_SELECT", "").split()
RUN_DATE_ENV = "FXA_METRICS_RUN_DATE"

IS_DUCKDB = TARGET == "duckdb"
# DuckDB allows one writer per file: every dbt task of every fxa_metrics DAG takes a slot of
# this one-slot pool (`airflow pools set fxa_metrics_duckdb 1 ...`), so the hourly and the
# daily DAG never write at the same time, and the warehouse lock (fxa_metrics_tools/
# warehouse_lock.py) makes anything else that opens the file (make docs, a backfill) wait.
DBT_POOL = os.environ.get("FXA_METRICS_DBT_POOL", "fxa_metrics_duckdb" if IS_DUCKDB else "")

# The demo's inputs end there: FxA logs 2024-02-01..2024-04-30, SubPlat 2024-01..2025-12 (its
# daily tables process the run date - 7 days). A demo standalone runs that one day, once.
DEMO_LAST_DAY = "2024-04-30"

OWNER = "fxa-metrics"
logger = logging.getLogger(__name__)
FAILED_STATUSES = frozenset({"error", "fail", "runtime error"})


class SettingError(ValueError):
    """A DAG setting from the environment is missing or malformed."""


def _day_setting(name: str, default: str | None) -> datetime | None:
    value = os.environ.get(name, default or "").strip()
    if not value:
        return None
    try:
        return datetime.combine(date.fromisoformat(value), datetime.min.time(), tzinfo=UTC)
    except ValueError:
        raise SettingError(f"{name}={value!r}: expected a day as YYYY-MM-DD") from None


def schedule_window() -> tuple[datetime, datetime | None, bool]:
    """(start_date, end_date, catchup) of the daily DAG, from the settings.

    A deliberate start: on the demo (DuckDB target) the default window is the demo's last day
    alone, so a fresh standalone schedules exactly one daily run; elsewhere the deployment says
    when it starts (FXA_METRICS_START_DATE), and catch-up is opt-in (FXA_METRICS_CATCHUP=true)
    unless an end date bounds the range.
    """
    start = _day_setting("FXA_METRICS_START_DATE", DEMO_LAST_DAY if IS_DUCKDB else None)
    if start is None:
        raise SettingError(
            f"FXA_METRICS_START_DATE is required on the {TARGET} target: the first day the daily "
            "DAG processes (YYYY-MM-DD, usually the deployment day; older days: backfill)"
        )
    end_default = (
        start.date().isoformat()
        if IS_DUCKDB and "FXA_METRICS_START_DATE" not in (os.environ)
        else None
    )
    end = _day_setting("FXA_METRICS_END_DATE", end_default)
    if end is not None:
        if end < start:
            raise SettingError(f"FXA_METRICS_END_DATE {end:%F} is before the start {start:%F}")
        # The run of day D starts at 01:30 on D+1: the window's end covers that run's interval.
        end = end + timedelta(hours=23, minutes=59)
    catchup_value = os.environ.get("FXA_METRICS_CATCHUP", "true" if end else "false").lower()
    if catchup_value not in {"true", "false"}:
        raise SettingError(f"FXA_METRICS_CATCHUP={catchup_value!r}: expected true or false")
    return start, end, catchup_value == "true"


def run_day(dag_run: Any, offset_days: int = 0) -> str:
    """The UTC day (YYYY-MM-DD) a DAG run processes, shifted by `offset_days`.

    A scheduled run's logical date is the start of its data interval (the day that just ended),
    like `ds`. An Airflow 3 manual run may have no logical date: it then processes the last
    complete UTC day before it was triggered (`run_after` minus one day), which is what the
    scheduled run at that time would process.
    """
    logical_date = getattr(dag_run, "logical_date", None)
    if logical_date is not None:
        day = _utc_date(logical_date)
    else:
        run_after = getattr(dag_run, "run_after", None) or datetime.now(UTC)
        day = _utc_date(run_after) - timedelta(days=1)
    return (day + timedelta(days=offset_days)).isoformat()


def _utc_date(moment: datetime) -> date:
    if moment.tzinfo is None:
        return moment.date()
    return moment.astimezone(UTC).date()


USER_DEFINED_MACROS = {"fxa_run_day": run_day}
RUN_DATE_TEMPLATE = "{{ fxa_run_day(dag_run) }}"

# The demo Stripe/Apple/Google/FxA inputs are seeds only on the local demo; in production those
# schemas are written by the loaders. The DAGs never (re)load them: `make seed` does, locally.
DEMO_SEEDS_SELECTOR = "path:seeds/demo"
# dbt unit tests and the macro tests (tests/dbt/macros) check SQL logic on fixed inputs: CI runs
# them (`make test`, the Makefile's CODE_TESTS), not every daily run (they would add minutes to
# each run and cannot catch bad data). Data tests run after each model.
EXCLUDE = [DEMO_SEEDS_SELECTOR, "resource_type:unit_test", "path:tests/dbt/macros"]
# The hourly DAG: the SubPlat history chain and every `recent_*` table, each with its parents
# (dbt matches `*` in a model name).
# The DAG tests narrow it (CI time), as they do the daily one.
HOURLY_SELECT = os.environ.get(
    "FXA_METRICS_HOURLY_SELECT", "+logical_subscriptions_history_v1 +recent_*"
).split()


def run_date_env(day: str) -> dict[str, str]:
    """Environment of a dbt process that processes the run date `day` (YYYY-MM-DD, or the
    DAG's template of it): the run-date contract of macros/run_day.sql. The DAG and the
    backfill both build it here."""
    return {RUN_DATE_ENV: day}


def summarize_run_results(run_results: dict[str, Any]) -> dict[str, list[str]]:
    """Names of the failed and the skipped nodes of a dbt run_results.json, and the counts.

    `failed` entries read `<node name> (<resource type>): <dbt message>`; `skipped` lists what
    dbt did not run because something upstream of it failed.
    """
    failed, skipped, passed = [], [], []
    for result in run_results.get("results", []):
        uid = result.get("unique_id", "")
        parts = uid.split(".")
        name, kind = (parts[2] if len(parts) > 2 else uid), (parts[0] if parts else "")
        status = str(result.get("status")).lower()
        if status in FAILED_STATUSES:
            message = " ".join(str(result.get("message") or status).split())
            failed.append(f"{name} ({kind}): {message}")
        elif status == "skipped":
            skipped.append(name)
        else:
            passed.append(name)
    return {"failed": sorted(failed), "skipped": sorted(skipped), "passed": sorted(passed)}


def report_run_results(run_results_path: Path, ti: Any = None) -> dict[str, list[str]]:
    """Log and publish what a dbt run failed and skipped (also when it failed).

    The failed tests and models are named in the task log (ERROR lines) and in the XCom
    `dbt_failed`; the nodes dbt skipped because of them in `dbt_skipped`.
    """
    if not run_results_path.is_file():
        logger.error("dbt wrote no %s: it failed before running any node", run_results_path)
        return {"failed": [], "skipped": [], "passed": []}
    summary = summarize_run_results(json.loads(run_results_path.read_text()))
    logger.info(
        "dbt build: %d nodes passed, %d failed, %d skipped",
        len(summary["passed"]),
        len(summary["failed"]),
        len(summary["skipped"]),
    )
    for failure in summary["failed"]:
        logger.error("dbt node failed: %s", failure)
    if summary["skipped"]:
        logger.error("not run (downstream of a failure): %s", ", ".join(summary["skipped"]))
    if ti is not None:
        ti.xcom_push(key="dbt_failed", value=summary["failed"])
        ti.xcom_push(key="dbt_skipped", value=summary["skipped"])
    return summary


class DbtBuildFailed(RuntimeError):
    """dbt build exited non-zero; the message names the failed nodes."""


def dbt_build_command(select: list[str], target_dir: Path) -> list[str]:
    """The dbt command line of a DAG task (`--target-path`: the DAG's own artifacts)."""
    command = [
        str(DBT_EXECUTABLE),
        "build",
        "--project-dir",
        str(PROJECT_DIR),
        "--profiles-dir",
        str(PROFILES_YML.parent),
        # No --target: profiles.yml takes it from FXA_METRICS_TARGET, like every other dbt call
        # here. dbt hashes the CLI's --target into the parse state: `make airflow-setup`'s
        # `dbt parse` (no --target) then leaves a partial parse this command can reuse.
        "--target-path",
        str(target_dir),
        "--log-path",
        str(target_dir),
    ]
    if select:
        command += ["--select", *select]
    return command + ["--exclude", *EXCLUDE]


class DbtBuildOperator(BaseOperator):
    """`dbt build` in a subprocess of the dbt virtualenv, holding the warehouse lock.

    `env` (templated) is added to the worker's environment. dbt's output goes to the task log;
    afterwards the run results name what failed and what dbt skipped because of it. dbt's
    artifacts (manifest, partial parse, run results) stay in `<AIRFLOW_TARGET_DIR>/<dag id>`.
    """

    template_fields = ("env",)
    ui_color = "#8194E0"

    def __init__(self, *, select: list[str], env: dict[str, str], **kwargs: Any) -> None:
        if BaseOperator is object:
            raise RuntimeError("DbtBuildOperator needs Airflow (run it in .venv-airflow)")
        super().__init__(**kwargs)
        self.select = select
        self.env = env
        self._process: subprocess.Popen[str] | None = None

    def execute(self, context: Any) -> dict[str, list[str]]:
        target_dir = AIRFLOW_TARGET_DIR / self.dag_id
        command = dbt_build_command(self.select, target_dir)
        env = {**os.environ, **self.env}
        duckdb_path = warehouse_lock.duckdb_path_from_env(env)
        self.log.info("running %s with %s", shlex.join(command), self.env)
        holder = f"airflow {self.dag_id}.{self.task_id} {context.get('run_id')}"
        with warehouse_lock.hold(duckdb_path, command=holder):
            (target_dir / "run_results.json").unlink(missing_ok=True)
            self._process = subprocess.Popen(
                command,
                env=env,
                cwd=PROJECT_DIR,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            for line in self._process.stdout or ():
                self.log.info("%s", line.rstrip())
            returncode = self._process.wait()
        summary = report_run_results(target_dir / "run_results.json", context.get("ti"))
        if returncode != 0:
            named = "; ".join(summary["failed"]) or "see the dbt output above"
            raise DbtBuildFailed(f"dbt build exited with {returncode}: {named}")
        return {"failed": summary["failed"], "skipped": summary["skipped"]}

    def on_kill(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()


def dbt_build_task(
    task_id: str, select: list[str], env: dict[str, str] | None = None, **kwargs: Any
) -> DbtBuildOperator:
    """The one dbt task of a DAG run: `dbt build` of `select` (all when empty)."""
    if TARGET not in TARGETS:
        raise SettingError(f"FXA_METRICS_TARGET={TARGET!r}: expected one of {', '.join(TARGETS)}")
    return DbtBuildOperator(
        task_id=task_id, select=select, env=env or {}, pool=DBT_POOL or None, **kwargs
    )


DEFAULT_ARGS: dict[str, Any] = {
    "owner": OWNER,
    "retries": 2,
    "retry_delay": timedelta(minutes=30),
}
TAGS = ["fxa_metrics", "dbt", TARGET]
