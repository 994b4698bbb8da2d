"""Fixtures for the docs checks: the dbt target dir `make build` / `make docs-static` wrote."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]

# Figures the coverage test computes, printed at the end of the pytest run.
COVERAGE_FIGURES: dict[str, str] = {}


def docs_target_path() -> Path:
    """The dbt target dir holding manifest.json, catalog.json and static_index.html."""
    return Path(os.environ.get("FXA_METRICS_DOCS_TARGET", PROJECT_DIR / "target")).resolve()


@pytest.fixture(scope="session")
def docs_target_dir() -> Path:
    path = docs_target_path()
    missing = [
        name
        for name in ("manifest.json", "catalog.json", "static_index.html")
        if not (path / name).exists()
    ]
    if missing:
        pytest.fail(
            f"{', '.join(missing)} missing in {path}: run `make build` or `make docs-static` "
            "first (or point FXA_METRICS_DOCS_TARGET at the dbt target dir that has them)"
        )
    return path


@pytest.fixture(scope="session")
def docs_manifest(docs_target_dir: Path) -> dict[str, Any]:
    return json.loads((docs_target_dir / "manifest.json").read_text())


@pytest.fixture(scope="session")
def docs_catalog(docs_target_dir: Path) -> dict[str, Any]:
    return json.loads((docs_target_dir / "catalog.json").read_text())


@pytest.fixture(scope="session")
def coverage_figures() -> dict[str, str]:
    """Coverage figures the docs tests record; printed in the pytest summary."""
    return COVERAGE_FIGURES


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if COVERAGE_FIGURES:
        terminalreporter.section("docs coverage")
        for name, figure in COVERAGE_FIGURES.items():
            terminalreporter.write_line(f"{name}: {figure}")
