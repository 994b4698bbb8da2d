"""Settings shared by the fxa_metrics DAGs: paths, dbt target, Cosmos configs, run dates.

No Airflow DAG lives here. Everything comes from the environment with defaults that work in a
checkout (`make airflow-setup`), and nothing secret: BigQuery credentials reach dbt through
`profiles.yml`, which reads them from the environment.

| variable | default | meaning |
|---|---|---|
| `FXA_METRICS_PROJECT_DIR` | the repo (parent of `dags/`) | the dbt project |
| `FXA_METRICS_TARGET` | `duckdb` | dbt target: `duckdb`, `bigquery_stage`, `bigquery` |
| `FXA_METRICS_DBT_EXECUTABLE` | `<project>/.venv/bin/dbt` | dbt lives in its own virtualenv |
| `FXA_METRICS_MANIFEST_PATH` | `<project>/target/manifest.json` | written by `dbt parse` |
| `DBT_PROFILES_DIR` | the project | where `profiles.yml` is |
| `FXA_METRICS_EXECUTION_MODE` | `watcher` | Cosmos execution mode: `watcher` or `local` |
| `FXA_METRICS_DBT_POOL` | `fxa_metrics_duckdb` on DuckDB | Airflow pool every dbt writer uses |
| `FXA_METRICS_DAILY_SELECT` | empty: all | dbt selectors (space-separated) narrowing the DAG |
"""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(
    os.environ.get("FXA_METRICS_PROJECT_DIR", Path(__file__).resolve().parents[1])
).resolve()
TARGET = os.environ.get("FXA_METRICS_TARGET", "duckdb")
TARGETS = ("duckdb", "bigquery_stage", "bigquery")
DBT_EXECUTABLE = Path(
    os.environ.get("FXA_METRICS_DBT_EXECUTABLE", PROJECT_DIR / ".venv" / "bin" / "dbt")
)
MANIFEST_PATH = Path(
    os.environ.get("FXA_METRICS_MANIFEST_PATH", PROJECT_DIR / "target" / "manifest.json")
)
PROFILES_YML = Path(os.environ.get("DBT_PROFILES_DIR", PROJECT_DIR)) / "profiles.yml"
EXECUTION_MODE = os.environ.get("FXA_METRICS_EXECUTION_MODE", "watcher")
# Empty = the whole project. The DAG tests narrow the daily DAG to a few chains this way.
DAILY_SELECT = os.environ.get("FXA_METRICS_DAILY_SELECT", "").split()

IS_DUCKDB = TARGET == "duckdb"
# DuckDB allows one writer per file: every dbt task of every fxa_metrics DAG takes a slot of
# this one-slot pool (`airflow pools set fxa_metrics_duckdb 1 ...`), so the hourly and the
# daily DAG never write at the same time. BigQuery has no such limit.
DBT_POOL = os.environ.get("FXA_METRICS_DBT_POOL", "fxa_metrics_duckdb" if IS_DUCKDB else "")
MAX_ACTIVE_TASKS = 1 if IS_DUCKDB else 8

# Spec (subscriptions.md section 8): the SubPlat daily/monthly tables process the day seven
# days back (late Stripe data). The FxA rollups process the submission date with a late-arrival
# window of `fxa_late_arrival_days` days (fxa-events.md section 3).
SUBPLAT_DELAY_DAYS = 7
FXA_LATE_ARRIVAL_DAYS = int(os.environ.get("FXA_METRICS_LATE_ARRIVAL_DAYS", "1"))

OWNER = "fxa-metrics"
logger = logging.getLogger(__name__)
PASSED_STATUSES = frozenset({"pass", "success", "skipped", "warn"})


def failed_dbt_tests(context: Any) -> list[str]:
    """`<test name>: <dbt message>` of each failed dbt test behind a failed `<model>.test` task.

    In the watcher mode the producer runs the tests and publishes one aggregated pass/fail per
    model plus each node's dbt event (XCom `<unique_id with . as __>_dbt_event`, Cosmos 1.15).
    """
    task = context["task"]
    model_uid = getattr(task, "model_unique_id", None)
    producer_id = getattr(task, "producer_task_id", None)
    if not model_uid or not producer_id or not task.task_id.endswith(".test"):
        return []
    producer = context["dag"].get_task(producer_id)
    failed = []
    for test_uid in getattr(producer, "tests_per_model", {}).get(model_uid, []):
        key = f"{test_uid.replace('.', '__')}_dbt_event"
        event = context["ti"].xcom_pull(task_ids=producer_id, key=key)
        # Only error events are kept for tests (status often "None"); a pass leaves none.
        if event and str(event.get("status")).lower() not in PASSED_STATUSES:
            failed.append(f"{test_uid.split('.')[2]}: {event.get('msg') or event.get('status')}")
    return failed


def log_failed_dbt_tests(context: Any) -> None:
    """on_failure_callback: a failed test task names its failed dbt tests in its own log."""
    try:
        failed = failed_dbt_tests(context)
    except Exception:  # a callback must never hide the task's own error
        logger.exception("could not list the failed dbt tests")
        return
    if failed:
        logger.error(
            "dbt tests of %s failed: %s", context["task"].model_unique_id, "; ".join(failed)
        )


DEFAULT_ARGS: dict[str, Any] = {
    "owner": OWNER,
    "retries": 2,
    "retry_delay": timedelta(minutes=30),
    "on_failure_callback": log_failed_dbt_tests,
}
TAGS = ["fxa_metrics", "dbt", TARGET]

# The demo Stripe/Apple/Google/FxA inputs are seeds only on the local demo; in production those
# schemas are written by the loaders. The DAGs never (re)load them: `make seed` does, locally.
DEMO_SEEDS_SELECTOR = "path:seeds/demo"
# dbt unit tests check SQL logic on fixed inputs: CI runs them (`make test`), not every daily run
# (they would add minutes to each run and cannot catch bad data). Data tests run after each model.
EXCLUDE = [DEMO_SEEDS_SELECTOR, "resource_type:unit_test"]


class ManifestMissingError(FileNotFoundError):
    """The dbt manifest the DAGs are rendered from does not exist."""


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


def dbt_vars_templates() -> dict[str, str]:
    """dbt vars of the daily DAG as Jinja templates, rendered per task from the DAG run."""
    return {
        "submission_date": "{{ fxa_run_day(dag_run) }}",
        "subplat_date": f"{{{{ fxa_run_day(dag_run, -{SUBPLAT_DELAY_DAYS}) }}}}",
        "fxa_late_arrival_days": str(FXA_LATE_ARRIVAL_DAYS),
    }


USER_DEFINED_MACROS = {"fxa_run_day": run_day}

# The run-date contract (macros/run_day.sql): a dbt process gets the run's logical date in this
# environment variable and derives the FxA and SubPlat processing days from it.
RUN_DATE_ENV = "FXA_METRICS_RUN_DATE"


def run_date_env(day: str) -> dict[str, str]:
    """Environment of a dbt process that processes the run date `day` (YYYY-MM-DD)."""
    return {RUN_DATE_ENV: day}


def require_manifest(path: Path = MANIFEST_PATH) -> Path:
    """The manifest path, or a clear error telling how to produce it."""
    if not path.is_file():
        raise ManifestMissingError(
            f"dbt manifest not found at {path}: the fxa_metrics DAGs are rendered from it. "
            "Run `make airflow-setup` (or `.venv/bin/dbt parse`) in the project, or point "
            "FXA_METRICS_MANIFEST_PATH at a manifest.json."
        )
    return path


def load_manifest(path: Path = MANIFEST_PATH) -> dict[str, Any]:
    with require_manifest(path).open() as handle:
        return json.load(handle)


def model_names(manifest: dict[str, Any]) -> set[str]:
    return {
        node["name"]
        for node in manifest.get("nodes", {}).values()
        if node.get("resource_type") == "model"
    }


def hourly_selection(manifest: dict[str, Any]) -> list[str]:
    """dbt selectors of the hourly DAG: the history chain and the `recent_*` tables.

    `+logical_subscriptions_history_v1` is the SubPlat history chain; each `recent_*` model comes
    with its parents (`+recent_...`), which are that chain (and, for FxA's recent events, the
    log staging). Cosmos selectors have no name wildcards, so the names come from the manifest.
    """
    names = model_names(manifest)
    selection = [
        f"+{name}"
        for name in sorted(names)
        if name == "logical_subscriptions_history_v1" or name.startswith("recent_")
    ]
    if not selection:
        raise ValueError(
            "the manifest has neither logical_subscriptions_history_v1 nor recent_* models: "
            "nothing for the hourly DAG to refresh"
        )
    return selection


DBT_CONTENT_DIRS = frozenset({"models", "seeds", "macros", "tests", "snapshots", "analyses"})


def limit_project_hash_to_dbt_files() -> None:
    """Keep Cosmos from hashing the virtualenvs and warehouse at every DAG parse.

    On Airflow 3 Cosmos hashes the dbt project folder (DAG versioning, cache keys). The project
    is the repo root, whose `.venv*`, `warehouse/` and `target_*` hold ~80k files: hashing them
    took 13 s per parse. Only the dbt content folders (and top-level files) can change the dbt
    graph, so every other top-level folder joins `[cosmos] project_hash_excluded_dirs`.
    """
    from cosmos import settings

    extra = {
        path.name
        for path in PROJECT_DIR.iterdir()
        if path.is_dir() and path.name not in DBT_CONTENT_DIRS
    }
    settings.project_hash_excluded_dirs = frozenset(settings.project_hash_excluded_dirs | extra)


def cosmos_configs(manifest_path: Path = MANIFEST_PATH) -> dict[str, Any]:
    """project_config, profile_config and execution_config shared by both DbtDags."""
    from cosmos import ExecutionConfig, ProfileConfig, ProjectConfig
    from cosmos.constants import ExecutionMode, InvocationMode, TestIndirectSelection

    limit_project_hash_to_dbt_files()

    if TARGET not in TARGETS:
        raise ValueError(f"FXA_METRICS_TARGET={TARGET!r}: expected one of {', '.join(TARGETS)}")
    mode = {"watcher": ExecutionMode.WATCHER, "local": ExecutionMode.LOCAL}.get(EXECUTION_MODE)
    if mode is None:
        raise ValueError(
            f"FXA_METRICS_EXECUTION_MODE={EXECUTION_MODE!r}: expected watcher or local"
        )
    # The producer task of the watcher mode is the only dbt writer: it alone takes the pool.
    setup_args = {"pool": DBT_POOL} if DBT_POOL and mode == ExecutionMode.WATCHER else None
    return {
        "project_config": ProjectConfig(
            dbt_project_path=PROJECT_DIR,
            manifest_path=require_manifest(manifest_path),
            project_name="fxa_metrics",
            install_dbt_deps=False,  # no packages.yml: nothing to install
        ),
        "profile_config": ProfileConfig(
            profile_name="fxa_metrics",
            target_name=TARGET,
            profiles_yml_filepath=PROFILES_YML,
        ),
        "execution_config": ExecutionConfig(
            execution_mode=mode,
            # dbt (protobuf < 7) cannot share Airflow's virtualenv (protobuf 7): subprocess.
            invocation_mode=InvocationMode.SUBPROCESS,
            dbt_executable_path=DBT_EXECUTABLE,
            # A test whose parents are all built runs after them, not with the first one.
            test_indirect_selection=TestIndirectSelection.CAUTIOUS,
            setup_operator_args=setup_args,
        ),
    }


def operator_args(dbt_vars: dict[str, str] | None, execution_mode: str = EXECUTION_MODE) -> dict:
    """Arguments every Cosmos operator of a DAG gets."""
    args: dict[str, Any] = {}
    if dbt_vars:
        args["vars"] = dbt_vars
    if DBT_POOL and execution_mode == "local":
        args["pool"] = DBT_POOL
    return args
