"""Fixtures of the DAG tests. They run in .venv-airflow (`make airflow-test`), not in .venv.

Airflow cannot share the dbt virtualenv (protobuf 7 vs < 7), so the main `pytest tests` run in
.venv does not collect this folder; `make test` then runs it with .venv-airflow's Python and
FXA_METRICS_AIRFLOW_TESTS=required, which turns a missing Airflow into an error, not a skip.

Airflow reads its configuration once, at import: this module points it at a temporary
AIRFLOW_HOME (SQLite metadata DB) and at `dags/` before any test imports it.
"""

from __future__ import annotations

import importlib.util
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
DAGS_DIR = PROJECT_DIR / "dags"
DAG_IDS = {"fxa_metrics_daily", "fxa_metrics_hourly"}


def airflow_installed() -> bool:
    """True when the real Airflow package is importable.

    `tests/` is on sys.path, so this folder itself looks like a namespace package `airflow`
    (no origin) where Airflow is not installed: that one does not count.
    """
    spec = importlib.util.find_spec("airflow")
    return spec is not None and spec.origin is not None


if not airflow_installed():
    if os.environ.get("FXA_METRICS_AIRFLOW_TESTS") == "required":
        raise RuntimeError(
            "FXA_METRICS_AIRFLOW_TESTS=required but Airflow is not importable: run these tests "
            "with .venv-airflow (`make airflow-test`)"
        )
    collect_ignore_glob = ["test_*.py"]
else:
    AIRFLOW_HOME = Path(tempfile.mkdtemp(prefix="fxa_metrics_airflow_tests_"))
    os.environ["AIRFLOW_HOME"] = str(AIRFLOW_HOME)
    os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(DAGS_DIR)
    os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
    os.environ.setdefault("DBT_PROFILES_DIR", str(PROJECT_DIR))


@dataclass(frozen=True)
class LoadedDags:
    dags: dict[str, Any]
    import_errors: dict[str, str]
    parse_seconds: float
    parse_cpu_seconds: float


@pytest.fixture(scope="session")
def loaded_dags() -> LoadedDags:
    """Every DAG file of `dags/` parsed once, as the dag processor does (bundle on sys.path)."""
    from airflow.dag_processing.dagbag import BundleDagBag

    started, cpu_started = time.perf_counter(), time.process_time()
    bag = BundleDagBag(dag_folder=DAGS_DIR, bundle_path=DAGS_DIR)
    parse_seconds = time.perf_counter() - started
    parse_cpu_seconds = time.process_time() - cpu_started
    return LoadedDags(dict(bag.dags), dict(bag.import_errors), parse_seconds, parse_cpu_seconds)


@pytest.fixture(scope="session")
def daily_dag(loaded_dags: LoadedDags) -> Any:
    return loaded_dags.dags["fxa_metrics_daily"]


@pytest.fixture(scope="session")
def hourly_dag(loaded_dags: LoadedDags) -> Any:
    return loaded_dags.dags["fxa_metrics_hourly"]
