"""Run the fxa_metrics DAGs under a real Airflow scheduler and report what it scheduled and ran.

`airflow standalone` (API server, scheduler, DAG processor, triggerer; LocalExecutor, SQLite) in
a temporary AIRFLOW_HOME, on a copy of a DuckDB warehouse, with the DAG files given unpaused from
creation, as a new user's first `make airflow-standalone` plus "unpause" would. It waits until
every DAG run it created has finished (or `--observe` seconds, for a scheduling-only check), then
stops Airflow and writes a JSON report: the runs per DAG (id, type, logical date, state, wall
time) and every task instance (state, queued/start/end, duration). Run with .venv-airflow:

    .venv-airflow/bin/python tests/airflow/scheduled_run.py --report /tmp/run.json \\
        --dag fxa_metrics_daily --env FXA_METRICS_START_DATE=2024-03-15 \\
        --env FXA_METRICS_END_DATE=2024-03-15

Used by tests/airflow/test_scheduler.py and for the README's run-time figures.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parents[2]
DAGS_DIR = PROJECT_DIR / "dags"
AIRFLOW_BIN = Path(sys.executable).parent
FINISHED = {"success", "failed"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--report", type=Path, required=True)
    parser.add_argument("--dags-folder", type=Path, default=DAGS_DIR)
    parser.add_argument(
        "--dag", action="append", help="DAG file stems to deploy (default: every DAG file)"
    )
    parser.add_argument(
        "--warehouse", type=Path, default=PROJECT_DIR / "warehouse" / "fxa_metrics.duckdb"
    )
    parser.add_argument("--env", action="append", default=[], help="NAME=value for Airflow")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds for all runs")
    parser.add_argument(
        "--observe", type=float, help="only watch the scheduling this long, then stop"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    return parser.parse_args(argv)


def deploy_dags(source: Path, target: Path, stems: list[str] | None) -> None:
    """Copy the DAG files (all, or the `stems` given) and every non-DAG module of `source`."""
    target.mkdir(parents=True)
    for path in source.glob("*.py"):
        is_dag = path.stem.startswith("fxa_metrics_") and path.stem != "fxa_metrics_common"
        if not is_dag or stems is None or path.stem in stems:
            shutil.copyfile(path, target / path.name)


def airflow_env(home: Path, dags: Path, duckdb_path: Path, extra: list[str]) -> dict[str, str]:
    env = dict(os.environ)
    port = free_port()
    env.update(
        {
            "PATH": f"{AIRFLOW_BIN}:{env.get('PATH', '')}",
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(dags),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(port),
            # Task processes report to the API server: its URL follows the port.
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
            "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(free_port()),
            "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "False",
            # The default 5 s fails task starts when 2 cores are busy (ReadTimeout).
            "AIRFLOW__WORKERS__EXECUTION_API_TIMEOUT": "60",
            "FXA_METRICS_PROJECT_DIR": str(PROJECT_DIR),
            "FXA_METRICS_DUCKDB_PATH": str(duckdb_path),
            "DBT_PROFILES_DIR": env.get("DBT_PROFILES_DIR", str(PROJECT_DIR)),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "DO_NOT_TRACK": "1",
        }
    )
    for item in extra:
        name, _, value = item.partition("=")
        env[name] = value
    return env


def dag_ids_of(dags: Path) -> set[str]:
    return {path.stem for path in dags.glob("fxa_metrics_*.py")} - {"fxa_metrics_common"}


def seed_dbt_parse(target_dir: Path, env: dict[str, str], dag_ids: set[str]) -> None:
    """What `make airflow-setup` does for a deployment: each DAG's dbt partial parse, made with
    this warehouse path (part of dbt's profile, so of the parse's validity)."""
    env["FXA_METRICS_AIRFLOW_TARGET_DIR"] = str(target_dir)
    dbt = env.get("FXA_METRICS_DBT_EXECUTABLE", str(PROJECT_DIR / ".venv" / "bin" / "dbt"))
    parse_dir = target_dir / "parse"
    command = [dbt, "parse", "--quiet", "--project-dir", str(PROJECT_DIR)]
    subprocess.run(
        [*command, "--target-path", str(parse_dir)], env=env, check=True, capture_output=True
    )
    for dag_id in dag_ids:
        (target_dir / dag_id).mkdir(parents=True)
        for name in ("manifest.json", "partial_parse.msgpack"):
            shutil.copyfile(parse_dir / name, target_dir / dag_id / name)


def query(db: Path, sql: str) -> list[dict[str, Any]]:
    if not db.exists():
        return []
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as con:
            con.row_factory = sqlite3.Row
            return [dict(row) for row in con.execute(sql)]
    except sqlite3.OperationalError:  # tables not created yet, or locked for a moment
        return []


def api_is_up(env: dict[str, str]) -> bool:
    url = f"http://127.0.0.1:{env['AIRFLOW__API__PORT']}/api/v2/monitor/health"
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


def unpause_when_ready(
    db: Path, env: dict[str, str], dag_ids: set[str], unpaused: set[str]
) -> None:
    """Unpause each DAG once the API server answers and the DAG processor has stored the DAG.

    As a user does in the UI after `make airflow-standalone`: unpaused before the API server is
    up, a task's start would fail (its process reports to the API server).
    """
    if unpaused >= dag_ids or not api_is_up(env):
        return
    stored = {row["dag_id"] for row in query(db, "select dag_id from dag")}
    for dag_id in sorted((dag_ids & stored) - unpaused):
        subprocess.run(
            [str(AIRFLOW_BIN / "airflow"), "dags", "unpause", dag_id],
            env=env,
            check=True,
            capture_output=True,
        )
        unpaused.add(dag_id)


def seconds_between(start: str | None, end: str | None) -> float | None:
    if not start or not end:
        return None
    return round((datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds(), 1)


def collect(db: Path) -> dict[str, Any]:
    runs = query(
        db,
        "select dag_id, run_id, run_type, logical_date, state, queued_at, start_date, end_date "
        "from dag_run order by dag_id, run_id",
    )
    for run in runs:
        run["wall_seconds"] = seconds_between(run["start_date"], run["end_date"])
    tasks = query(
        db,
        "select dag_id, run_id, task_id, state, try_number, queued_dttm, start_date, end_date, "
        "duration from task_instance order by start_date",
    )
    dags = query(db, "select dag_id, is_paused from dag")
    return {"dag_runs": runs, "task_instances": tasks, "dags": dags}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="fxa_metrics_scheduled_"))
    home, dags = workdir / "airflow_home", workdir / "dags"
    duckdb_path = workdir / "warehouse.duckdb"
    shutil.copyfile(args.warehouse, duckdb_path)
    deploy_dags(args.dags_folder, dags, args.dag)
    env = airflow_env(home, dags, duckdb_path, args.env)
    seed_dbt_parse(workdir / "target_airflow", env, dag_ids_of(dags))
    airflow = str(AIRFLOW_BIN / "airflow")
    subprocess.run([airflow, "db", "migrate"], env=env, check=True, capture_output=True)
    subprocess.run(
        [airflow, "pools", "set", "fxa_metrics_duckdb", "1", "one DuckDB writer at a time"],
        env=env,
        check=True,
        capture_output=True,
    )
    db = home / "airflow.db"
    log = (workdir / "standalone.log").open("wb")
    started = time.monotonic()
    process = subprocess.Popen(
        [airflow, "standalone"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    dag_ids = dag_ids_of(dags)
    unpaused: set[str] = set()
    unpaused_at = None
    outcome = "timeout"
    try:
        while time.monotonic() - (unpaused_at or started) < (args.observe or args.timeout):
            if process.poll() is not None:
                outcome = f"airflow standalone exited with {process.returncode}"
                break
            unpause_when_ready(db, env, dag_ids, unpaused)
            if unpaused_at is None and unpaused >= dag_ids:
                unpaused_at = time.monotonic()
            state = collect(db)
            runs = state["dag_runs"]
            if args.observe is None and len({r["dag_id"] for r in runs}) >= len(dag_ids):
                if all(run["state"] in FINISHED for run in runs):
                    outcome = "finished"
                    break
            time.sleep(2)
        else:
            outcome = "observed" if args.observe else "timeout"
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
    report = {
        "outcome": outcome,
        "elapsed_seconds": round(time.monotonic() - started, 1),
        "unpaused_after_seconds": round(unpaused_at - started, 1) if unpaused_at else None,
        "workdir": str(workdir),
        "load_average": os.getloadavg(),
        **collect(db),
    }
    args.report.write_text(json.dumps(report, indent=2, default=str))
    if not args.keep and outcome in {"finished", "observed"}:
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"scheduled_run: {outcome} after {report['elapsed_seconds']} s; report {args.report}")
    return 0 if outcome in {"finished", "observed"} else 1


if __name__ == "__main__":
    raise SystemExit(main())
