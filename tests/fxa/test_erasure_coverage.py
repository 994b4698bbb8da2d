"""The erasure test lists every stored relation that holds client-level rows
(docs/fxa_events.md 4.6, issue 14).

tests/dbt/fxa/fxa_no_deleted_user_in_client_level_models.sql checks a list of (model, hashed user
id column) pairs; a table or incremental model added later with a user id column would escape
it unnoticed. This test reads the dbt manifest (no warehouse needed) and fails naming every
stored model whose declared columns include a hashed user id but which the list leaves out.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from fxa_metrics_tools.testing import PROJECT_DIR

ERASURE_TEST = PROJECT_DIR / "tests/dbt/fxa/fxa_no_deleted_user_in_client_level_models.sql"
USER_ID_COLUMNS = {"user_id", "user_id_sha256"}
STORED = {"table", "incremental"}


@pytest.fixture(scope="module")
def manifest_path() -> Path:
    """target/manifest.json from `dbt parse` (make check) or `make build`; stale is an error."""
    path = PROJECT_DIR / "target" / "manifest.json"
    if not path.exists():
        pytest.fail(f"no {path}: run `dbt parse` (make check does) or `make build` first")
    newest = max(
        file.stat().st_mtime
        for folder in ("models", "tests/dbt")
        for file in (PROJECT_DIR / folder).rglob("*")
        if file.suffix in {".sql", ".yml"}
    )
    if path.stat().st_mtime < newest:
        pytest.fail(f"{path} is older than the models: run `dbt parse` (make check does)")
    return path


def listed_relations(sql: str) -> dict[str, str]:
    """The ('model', 'column') pairs of the test's client_level_models list."""
    block = re.search(r"set client_level_models = \[(.*?)\]", sql, re.S)
    assert block, f"{ERASURE_TEST.name}: no client_level_models list"
    return dict(re.findall(r"\('(\w+)',\s*'(\w+)'\)", block.group(1)))


def stored_client_level_models(manifest: dict) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model" or node["config"]["materialized"] not in STORED:
            continue
        columns = {name.lower() for name in node["columns"]} & USER_ID_COLUMNS
        if columns:
            found[node["name"]] = columns
    return found


def test_erasure_test_covers_every_stored_client_level_model(manifest_path: Path) -> None:
    listed = listed_relations(ERASURE_TEST.read_text())
    stored = stored_client_level_models(json.loads(manifest_path.read_text()))
    assert "int_fxa_users_metrics_opt_out" in stored, "an intermediate table should be found"
    missing = sorted(name for name in stored if name not in listed)
    assert not missing, (
        f"stored models with a hashed user id column that {ERASURE_TEST.name} does not check "
        f"for erased users: {missing}; add them to client_level_models"
    )
    wrong = sorted(
        f"{name}.{column}"
        for name, column in listed.items()
        if name in stored and column not in stored[name]
    )
    assert not wrong, f"{ERASURE_TEST.name} names a column the model does not declare: {wrong}"
