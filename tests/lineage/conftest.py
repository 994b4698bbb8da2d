"""Fixtures of the column-lineage tests: dbt targets (manifest + catalog) of the fixture mini
project and of the real project."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
VENV_BIN = PROJECT_DIR / ".venv" / "bin"
FIXTURE_PROJECT = Path(__file__).resolve().parent / "fixtures" / "mini_project"


def _dbt() -> str:
    local = VENV_BIN / "dbt"
    return str(local if local.exists() else shutil.which("dbt") or "dbt")


def _run_dbt(args: list[str], cwd: Path, env: dict[str, str], target: Path) -> None:
    cmd = [_dbt(), *args, "--target-path", str(target), "--log-path", str(target.parent / "logs")]
    result = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise AssertionError(f"dbt {' '.join(args)} in {cwd} failed:\n{result.stdout[-6000:]}")


@pytest.fixture(scope="session")
def fixture_target(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture mini project seeded, built and documented (`--static`) into a tmp target."""
    base = tmp_path_factory.mktemp("lineage_fixture")
    project = base / "project"
    shutil.copytree(FIXTURE_PROJECT, project)
    env = {
        **os.environ,
        "LINEAGE_FIXTURE_DUCKDB_PATH": str(base / "fixture.duckdb"),
        "DBT_PROFILES_DIR": str(project),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    target = base / "target"
    # sources do not depend on seeds in dbt's DAG: seed first, then run
    for args in (["seed"], ["run"], ["docs", "generate", "--static"]):
        _run_dbt(args, project, env, target)
    return target


def _newest_source_mtime() -> float:
    newest = (PROJECT_DIR / "dbt_project.yml").stat().st_mtime
    for folder in ("models", "macros", "seeds"):
        for path in (PROJECT_DIR / folder).rglob("*"):
            if path.is_file():
                newest = max(newest, path.stat().st_mtime)
    return newest


def fresh_target(target: Path) -> bool:
    """A target dir whose manifest (with compiled SQL) and catalog postdate every project file."""
    manifest, catalog = target / "manifest.json", target / "catalog.json"
    if not (manifest.exists() and catalog.exists()):
        return False
    if min(manifest.stat().st_mtime, catalog.stat().st_mtime) < _newest_source_mtime():
        return False
    nodes = json.loads(manifest.read_text()).get("nodes", {}).values()
    models = [n for n in nodes if n.get("resource_type") == "model"]
    return bool(models) and all(n.get("compiled_code") for n in models)


@pytest.fixture(scope="session")
def project_target(built_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Manifest (compiled SQL) + catalog of the real project against the built warehouse.

    Reuses `target/` when it is fresh (`make build` writes it); otherwise runs one
    `dbt docs generate` (which compiles every model) against a copy of the warehouse, so the
    warehouse itself is only read.
    """
    reuse = Path(os.environ.get("FXA_METRICS_LINEAGE_TARGET", PROJECT_DIR / "target"))
    if fresh_target(reuse):
        base = tmp_path_factory.mktemp("lineage_reused")
        for name in ("manifest.json", "catalog.json"):
            shutil.copy(reuse / name, base / name)
        return base
    base = tmp_path_factory.mktemp("lineage_project")
    copy = base / built_warehouse.name
    shutil.copy(built_warehouse, copy)
    wal = built_warehouse.with_name(built_warehouse.name + ".wal")
    if wal.exists():
        shutil.copy(wal, copy.with_name(copy.name + ".wal"))
    target = base / "target"
    env = {
        **os.environ,
        "FXA_METRICS_DUCKDB_PATH": str(copy),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    env.setdefault("DBT_PROFILES_DIR", str(PROJECT_DIR))
    _run_dbt(["docs", "generate"], PROJECT_DIR, env, target)
    return target
