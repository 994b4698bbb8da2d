"""dags/fxa_metrics_common.py imports without Airflow (.venv): the backfill reuses `run_day`."""

from __future__ import annotations

import importlib.util
import sys
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from fxa_metrics_tools.testing import PROJECT_DIR


@pytest.fixture(scope="module")
def common():
    spec = importlib.util.find_spec("airflow")
    if spec is not None and spec.origin is not None:  # the real package, not tests/airflow
        pytest.skip("Airflow is importable here: tests/airflow covers the module")
    sys.path.insert(0, str(PROJECT_DIR / "dags"))
    try:
        import fxa_metrics_common

        yield fxa_metrics_common
    finally:
        sys.path.remove(str(PROJECT_DIR / "dags"))


def test_run_day_of_a_scheduled_and_a_manual_run(common) -> None:
    scheduled = SimpleNamespace(logical_date=datetime(2024, 3, 15, 1, 30, tzinfo=UTC))
    assert common.run_day(scheduled) == "2024-03-15"
    assert common.run_day(scheduled, -7) == "2024-03-08"
    manual = SimpleNamespace(logical_date=None, run_after=datetime(2024, 3, 16, 9, tzinfo=UTC))
    assert common.run_day(manual) == "2024-03-15"


def test_the_operator_needs_airflow(common) -> None:
    with pytest.raises(RuntimeError, match="needs Airflow"):
        common.DbtBuildOperator(task_id="x", select=[], env={})
