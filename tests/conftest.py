"""Shared pytest fixtures: paths and the built DuckDB warehouse.

The dbt runner lives in ``fxa_metrics_tools.testing`` (import it from there, not from conftest:
sub-folders have their own conftest.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from fxa_metrics_tools.testing import PROJECT_DIR, run_dbt, warehouse_path

SHARED_DIR = PROJECT_DIR.parent / "shared"

__all__ = ["PROJECT_DIR", "SHARED_DIR", "run_dbt", "warehouse_path"]


@pytest.fixture(scope="session")
def project_dir() -> Path:
    return PROJECT_DIR


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    return SHARED_DIR


@pytest.fixture(scope="session")
def built_warehouse() -> Iterator[Path]:
    """Read-only path of the warehouse built by `make build`/`make test` before pytest runs."""
    path = warehouse_path()
    if not path.exists():
        pytest.fail(f"no warehouse at {path}: run `make build` (or `make test`) first")
    yield path
