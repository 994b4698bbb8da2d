"""The DAGs of `dags/`: they load fast, follow the scheduling policy, and run the right dbt."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.airflow

PROJECT_DIR = Path(__file__).resolve().parents[2]
DAGS_DIR = PROJECT_DIR / "dags"
DAG_IDS = {"fxa_metrics_daily", "fxa_metrics_hourly"}
# Per DAG file, as Airflow's DagBag times it (the dag processor's "Last Duration").
PARSE_BUDGET_SECONDS = 0.5
TASK = "dbt_build"
DEMO_DAY = datetime(2024, 4, 30, tzinfo=UTC)


def core_timetable(dag: Any) -> Any:
    """The scheduler's view of the DAG's timetable (the SDK one only holds the definition)."""
    from airflow.serialization.encoders import coerce_to_core_timetable

    return coerce_to_core_timetable(dag.timetable)


def common() -> Any:
    import fxa_metrics_common  # on sys.path once the DagBag has loaded dags/

    return fxa_metrics_common


# --- loading -----------------------------------------------------------------------------------


def test_every_dag_file_imports_without_errors(loaded_dags: Any) -> None:
    assert loaded_dags.import_errors == {}
    assert set(loaded_dags.dags) == DAG_IDS
    dag_files = {Path(dag.fileloc).name for dag in loaded_dags.dags.values()}
    assert dag_files == {f"{dag_id}.py" for dag_id in DAG_IDS}
    assert sorted(p.name for p in DAGS_DIR.glob("*.py")) == sorted(
        [*dag_files, "fxa_metrics_common.py"]
    )


def test_each_dag_file_parses_well_under_a_second(tmp_path: Path) -> None:
    """Airflow's own parse timing (`airflow dags report`: the DagBag's per-file stats).

    A fresh interpreter, as the dag processor's per-file parse. The project seen by the DAGs
    holds no target/ folder: their shape depends on no dbt manifest (17.3: `make docs` and
    `make lineage` rewrite target/manifest.json), so every parse costs the same as the first.
    """
    (tmp_path / "fxa_metrics_tools").symlink_to(PROJECT_DIR / "fxa_metrics_tools")
    script = (
        "import json, sys\n"
        "from airflow.dag_processing.dagbag import BundleDagBag\n"
        "bag = BundleDagBag(dag_folder=sys.argv[1], bundle_path=sys.argv[1])\n"
        "stats = {s.file: s.duration.total_seconds() for s in bag.dagbag_stats}\n"
        "print(json.dumps({'stats': stats, 'errors': bag.import_errors}))\n"
    )
    env = {
        **os.environ,
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_DIR),
        "FXA_METRICS_PROJECT_DIR": str(tmp_path),
    }
    out = subprocess.run(
        [sys.executable, "-c", script, str(DAGS_DIR)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    ).stdout
    parsed = json.loads(out.strip().splitlines()[-1])
    assert parsed["errors"] == {}
    stats = parsed["stats"]
    print(f"DagBag parse seconds per file: {stats}")  # noqa: T201 (shown with -s)
    assert {Path(name).name for name in stats} >= {f"{dag_id}.py" for dag_id in DAG_IDS}
    slow = {name: seconds for name, seconds in stats.items() if seconds >= PARSE_BUDGET_SECONDS}
    assert not slow, f"DAG files over {PARSE_BUDGET_SECONDS} s to parse: {slow}"


# --- policy ------------------------------------------------------------------------------------


@pytest.mark.parametrize("dag_id", sorted(DAG_IDS))
def test_owner_tags_doc_and_one_run_at_a_time(loaded_dags: Any, dag_id: str) -> None:
    dag = loaded_dags.dags[dag_id]
    assert dag.max_active_runs == 1
    assert {"fxa_metrics", "dbt"} <= set(dag.tags)
    assert dag.doc_md and dag.doc_md.strip().startswith(f"# {dag_id}")
    assert {task.owner for task in dag.tasks} == {"fxa-metrics"}
    assert str(core_timetable(dag)._timezone) == "UTC"
    assert [task.task_id for task in dag.tasks] == [TASK]


def test_daily_schedule_and_retries(daily_dag: Any) -> None:
    assert core_timetable(daily_dag)._expression == "30 1 * * *"
    task = daily_dag.get_task(TASK)
    assert task.retries == 2
    assert task.retry_delay == timedelta(minutes=30)


def test_demo_default_window_is_the_demo_last_day_alone(daily_dag: Any) -> None:
    """Without settings, on DuckDB: start = end = 2024-04-30, so one run, of that day."""
    assert daily_dag.start_date == DEMO_DAY
    assert daily_dag.end_date.date() == DEMO_DAY.date()
    runs = scheduled_runs(daily_dag, now=datetime.now(UTC))
    assert [run.date() for run in runs] == [DEMO_DAY.date()]


def test_hourly_schedule_no_catchup(hourly_dag: Any) -> None:
    assert core_timetable(hourly_dag)._expression == "0 * * * *"
    assert hourly_dag.catchup is False
    # One run, the latest complete hour: none of the ~23,000 hours since the start date.
    now = datetime.now(UTC)
    runs = scheduled_runs(hourly_dag, now=now)
    assert len(runs) == 1
    assert now - timedelta(hours=2) <= runs[0] <= now


def scheduled_runs(dag: Any, now: datetime) -> list[datetime]:
    """Logical dates the scheduler would create by `now` for a fresh, unpaused DAG.

    The scheduler's loop: ask the timetable for the next run after the last one, create it if
    its `run_after` has passed, repeat. (Without catch-up the timetable itself skips to the
    latest interval before the real current time.)
    """
    from airflow.timetables.base import TimeRestriction

    timetable = core_timetable(dag)
    restriction = TimeRestriction(earliest=dag.start_date, latest=dag.end_date, catchup=dag.catchup)
    runs, last = [], None
    while len(runs) < 1000:
        info = timetable.next_dagrun_info(
            last_automated_data_interval=last, restriction=restriction
        )
        if info is None or info.run_after > now:
            break
        runs.append(info.logical_date)
        last = info.data_interval
    return runs


def reload_common(monkeypatch: pytest.MonkeyPatch, **env: str) -> Any:
    for name in (
        "FXA_METRICS_START_DATE",
        "FXA_METRICS_END_DATE",
        "FXA_METRICS_CATCHUP",
        "FXA_METRICS_TARGET",
    ):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return importlib.reload(common())


@pytest.fixture
def restore_common() -> Any:
    yield
    for name in ("FXA_METRICS_START_DATE", "FXA_METRICS_END_DATE", "FXA_METRICS_CATCHUP"):
        os.environ.pop(name, None)
    importlib.reload(common())


def test_deployment_needs_a_start_date_and_catchup_is_opt_in(
    loaded_dags: Any, monkeypatch: pytest.MonkeyPatch, restore_common: Any
) -> None:
    module = reload_common(monkeypatch, FXA_METRICS_TARGET="bigquery")
    with pytest.raises(module.SettingError, match="FXA_METRICS_START_DATE is required"):
        module.schedule_window()
    monkeypatch.setenv("FXA_METRICS_START_DATE", "2026-11-01")
    start, end, catchup = module.schedule_window()
    assert (start, end, catchup) == (datetime(2026, 11, 1, tzinfo=UTC), None, False)
    monkeypatch.setenv("FXA_METRICS_CATCHUP", "true")
    assert module.schedule_window()[2] is True
    monkeypatch.setenv("FXA_METRICS_START_DATE", "1 Nov")
    with pytest.raises(module.SettingError, match="FXA_METRICS_START_DATE='1 Nov'"):
        module.schedule_window()


def test_a_bounded_range_catches_up_each_day_once(
    loaded_dags: Any, monkeypatch: pytest.MonkeyPatch, restore_common: Any
) -> None:
    module = reload_common(
        monkeypatch, FXA_METRICS_START_DATE="2024-03-01", FXA_METRICS_END_DATE="2024-03-05"
    )
    start, end, catchup = module.schedule_window()
    assert catchup is True
    from airflow.sdk import DAG, CronDataIntervalTimetable

    dag = DAG(
        "window",
        schedule=CronDataIntervalTimetable("30 1 * * *", timezone="UTC"),
        start_date=start,
        end_date=end,
        catchup=catchup,
    )
    runs = scheduled_runs(dag, now=datetime(2026, 12, 7, tzinfo=UTC))
    assert [run.day for run in runs] == [1, 2, 3, 4, 5]


# --- the dbt command ---------------------------------------------------------------------------


def test_daily_runs_one_dbt_build_without_vars(daily_dag: Any) -> None:
    """15.1: the day goes in the environment; `--vars` would force dbt to re-parse each day."""
    module = common()
    task = daily_dag.get_task(TASK)
    command = module.dbt_build_command(task.select, Path("/t"))
    assert command[:2] == [str(module.DBT_EXECUTABLE), "build"]
    assert "--vars" not in command
    # dbt hashes a CLI --target into its parse state: with one, `make airflow-setup`'s
    # `dbt parse` would leave a partial parse the first run cannot reuse.
    assert "--target" not in command
    assert command[command.index("--target-path") + 1] == "/t"
    exclude = command[command.index("--exclude") + 1 :]
    assert {"path:seeds/demo", "resource_type:unit_test", "path:tests/dbt/macros"} <= set(exclude)
    assert not any("SUBPLAT" in line for line in (DAGS_DIR / "fxa_metrics_common.py").open())


def test_hourly_selects_the_history_chain_and_recent_tables(hourly_dag: Any) -> None:
    assert hourly_dag.get_task(TASK).select == [
        "+logical_subscriptions_history_v1",
        "+recent_*",
    ]
    assert hourly_dag.get_task(TASK).env == {}


@pytest.mark.parametrize("dag_id", sorted(DAG_IDS))
def test_dbt_writers_take_the_pool(loaded_dags: Any, dag_id: str) -> None:
    assert loaded_dags.dags[dag_id].get_task(TASK).pool == "fxa_metrics_duckdb"


def render_env(dag: Any, dag_run: Any) -> dict[str, str]:
    task = dag.get_task(TASK)
    return task.render_template(task.env, {"dag_run": dag_run}, jinja_env=dag.get_template_env())


def make_dag_run(logical_date: datetime | None, run_after: datetime) -> Any:
    from airflow.models.dagrun import DagRun

    return DagRun(
        dag_id="fxa_metrics_daily",
        run_id="test",
        logical_date=logical_date,
        run_after=run_after,
        run_type="manual" if logical_date is None else "scheduled",
    )


def test_scheduled_run_passes_its_logical_date(daily_dag: Any) -> None:
    dag_run = make_dag_run(
        datetime(2024, 3, 15, tzinfo=UTC), run_after=datetime(2024, 3, 16, 1, 30, tzinfo=UTC)
    )
    assert render_env(daily_dag, dag_run) == {"FXA_METRICS_RUN_DATE": "2024-03-15"}


def test_manual_run_without_logical_date_processes_the_last_full_day(daily_dag: Any) -> None:
    dag_run = make_dag_run(None, run_after=datetime(2024, 3, 16, 9, 45, tzinfo=UTC))
    assert render_env(daily_dag, dag_run) == {"FXA_METRICS_RUN_DATE": "2024-03-15"}


# --- failed tests are named --------------------------------------------------------------------


class FakeTaskInstance:
    def __init__(self) -> None:
        self.xcoms: dict[str, Any] = {}

    def xcom_push(self, key: str, value: Any) -> None:
        self.xcoms[key] = value


def test_run_results_name_failed_tests_and_skipped_nodes(
    loaded_dags: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    results = {
        "results": [
            {"unique_id": "model.fxa_metrics.stg_stripe__products", "status": "success"},
            {
                "unique_id": "test.fxa_metrics.unique_stg_stripe__products_product_id.1a2b",
                "status": "fail",
                "message": "Got 1 result, configured to fail if != 0",
            },
            {"unique_id": "model.fxa_metrics.stripe_products_v1", "status": "skipped"},
        ]
    }
    path = tmp_path / "run_results.json"
    path.write_text(json.dumps(results))
    ti = FakeTaskInstance()
    with caplog.at_level("ERROR"):
        summary = common().report_run_results(path, ti)
    failed = [
        "unique_stg_stripe__products_product_id (test): Got 1 result, configured to fail if != 0"
    ]
    assert summary["failed"] == failed
    assert ti.xcoms == {"dbt_failed": failed, "dbt_skipped": ["stripe_products_v1"]}
    assert "dbt node failed: unique_stg_stripe__products_product_id" in caplog.text
    assert "not run (downstream of a failure): stripe_products_v1" in caplog.text
