"""Shared pytest fixtures: paths, the built DuckDB warehouse, and a dbt runner."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[1]
SHARED_DIR = PROJECT_DIR.parent / "shared"
VENV_BIN = PROJECT_DIR / ".venv" / "bin"


def warehouse_path() -> Path:
    """The DuckDB file `make build` / `make test` wrote (FXA_METRICS_DUCKDB_PATH)."""
    default = PROJECT_DIR / "warehouse" / "fxa_metrics.duckdb"
    return Path(os.environ.get("FXA_METRICS_DUCKDB_PATH", default))


def run_dbt(
    args: list[str], duckdb_path: Path, target_path: Path, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run the project's dbt against an explicit DuckDB file and target dir; output captured."""
    env = dict(os.environ)
    env["FXA_METRICS_DUCKDB_PATH"] = str(duckdb_path)
    env.setdefault("DBT_PROFILES_DIR", str(PROJECT_DIR))
    env["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    dbt = VENV_BIN / "dbt" if (VENV_BIN / "dbt").exists() else Path(shutil.which("dbt") or "dbt")
    cmd = [str(dbt), *args, "--target-path", str(target_path)]
    result = subprocess.run(
        cmd, cwd=PROJECT_DIR, env=env, capture_output=True, text=True, check=False
    )
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed:\n{result.stdout[-6000:]}\n{result.stderr}")
    return result


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
