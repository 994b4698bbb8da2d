"""Run one DAG of `dags/` with `dag.test()` and write what happened to a JSON report.

Used by tests/airflow/test_dag_runs.py in a subprocess of the Airflow virtualenv, so that each
run gets its own AIRFLOW_HOME, SQLite metadata DB and DuckDB file from the environment (Airflow
reads its configuration once, at import). Also usable by hand:

    AIRFLOW_HOME=$(mktemp -d) AIRFLOW__CORE__DAGS_FOLDER=$PWD/dags \\
        FXA_METRICS_DUCKDB_PATH=/tmp/copy.duckdb \\
        .venv-airflow/bin/python tests/airflow/dag_runner.py fxa_metrics_daily 2024-03-15 out.json

One adjustment for `dag.test()`: retries are 0. The DAG's 30-minute retry delay would keep
`dag.test()` waiting after a first failure; with none, a failure (a lock error, a failing dbt
test) is final and shows in the report.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

logger = logging.getLogger("fxa_metrics.dag_runner")

DBT_TASK_ID = "dbt_build"
DAGS_DIR = Path(__file__).resolve().parents[2] / "dags"


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dag_id")
    parser.add_argument("logical_date", help="YYYY-MM-DD, or 'none' for a run without one")
    parser.add_argument("report", type=Path, help="where the JSON report goes")
    return parser.parse_args(argv)


def logical_datetime(value: str) -> datetime | None:
    if value.lower() == "none":
        return None
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


def migrate_metadata_db() -> None:
    """Create the SQLite metadata DB of this AIRFLOW_HOME (no-op when it is current)."""
    from airflow.utils.db import initdb

    initdb()


def load_dag(dag_id: str) -> Any:
    from airflow.dag_processing.dagbag import BundleDagBag

    bag = BundleDagBag(dag_folder=DAGS_DIR, bundle_path=DAGS_DIR)
    if bag.import_errors:
        raise RuntimeError(f"DAG import errors: {bag.import_errors}")
    dag = bag.get_dag(dag_id)
    if dag is None:
        raise KeyError(f"no DAG {dag_id!r} in {DAGS_DIR}: found {sorted(bag.dag_ids)}")
    return dag


def adapt_for_dag_test(dag: Any) -> None:
    """Retries off (see the module docstring)."""
    for task in dag.tasks:
        task.retries = 0


def run(dag_id: str, logical_date: datetime | None) -> dict[str, Any]:
    """dag.test() one run; the report lists every task instance's state and rendered fields."""
    from airflow.models.renderedtifields import RenderedTaskInstanceFields
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    migrate_metadata_db()
    dag = load_dag(dag_id)
    adapt_for_dag_test(dag)
    started = time.perf_counter()
    dag_run = dag.test(logical_date=logical_date)
    wall_seconds = time.perf_counter() - started

    with create_session() as session:
        tis = dag_run.get_task_instances(session=session)
        task_states = {ti.task_id: str(ti.state) if ti.state else None for ti in tis}
        try_numbers = {ti.task_id: ti.try_number for ti in tis}
        dbt_env, xcoms = None, {}
        for ti in tis:
            if ti.task_id == DBT_TASK_ID:
                fields = RenderedTaskInstanceFields.get_templated_fields(ti, session=session)
                dbt_env = (fields or {}).get("env")
                for key in ("dbt_failed", "dbt_skipped"):
                    query = XComModel.get_many(
                        key=key, run_id=ti.run_id, dag_ids=ti.dag_id, task_ids=ti.task_id
                    )
                    row = session.scalars(query).first()
                    xcoms[key] = XComModel.deserialize_value(row) if row is not None else None
        return {
            "dag_id": dag_id,
            "run_id": dag_run.run_id,
            "logical_date": dag_run.logical_date.isoformat() if dag_run.logical_date else None,
            "dag_run_state": str(dag_run.state),
            "wall_seconds": round(wall_seconds, 1),
            "task_count": len(dag.tasks),
            "task_states": task_states,
            "try_numbers": try_numbers,
            "dbt_env": dbt_env,
            "xcoms": xcoms,
        }


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    args = parse_args(sys.argv[1:] if argv is None else argv)
    for name in ("AIRFLOW_HOME", "FXA_METRICS_DUCKDB_PATH"):
        if not os.environ.get(name):
            raise SystemExit(f"{name} must be set (a temporary one): refusing to use a default")
    report = run(args.dag_id, logical_datetime(args.logical_date))
    args.report.write_text(json.dumps(report, indent=2, sort_keys=True, default=str))
    logger.info(
        "%s %s: %s in %.1f s",
        args.dag_id,
        args.logical_date,
        report["dag_run_state"],
        report["wall_seconds"],
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
