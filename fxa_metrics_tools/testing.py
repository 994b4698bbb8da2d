"""Helpers the pytest suites share: project paths, the built warehouse path, and a dbt runner.

Kept in an importable module (not in ``tests/conftest.py``) because several test folders have
their own ``conftest.py`` and ``from conftest import ...`` would pick the wrong one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
VENV_BIN = PROJECT_DIR / ".venv" / "bin"


def warehouse_path() -> Path:
    """The DuckDB file `make build` / `make test` wrote (FXA_METRICS_DUCKDB_PATH)."""
    default = PROJECT_DIR / "warehouse" / "fxa_metrics.duckdb"
    return Path(os.environ.get("FXA_METRICS_DUCKDB_PATH", default))


def dbt_executable() -> str:
    """The project's dbt (``.venv/bin/dbt``), else whichever dbt is on PATH."""
    local = VENV_BIN / "dbt"
    return str(local) if local.exists() else (shutil.which("dbt") or "dbt")


def run_dbt(
    args: list[str], duckdb_path: Path, target_path: Path, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run the project's dbt against an explicit DuckDB file and target dir; output captured.

    Raises AssertionError with the tail of dbt's output when ``check`` and dbt fails.
    """
    env = dict(os.environ)
    env["FXA_METRICS_DUCKDB_PATH"] = str(duckdb_path)
    env.setdefault("DBT_PROFILES_DIR", str(PROJECT_DIR))
    env["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    cmd = [dbt_executable(), *args, "--target-path", str(target_path)]
    result = subprocess.run(
        cmd, cwd=PROJECT_DIR, env=env, capture_output=True, text=True, check=False
    )
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed:\n{result.stdout[-6000:]}\n{result.stderr}")
    return result
