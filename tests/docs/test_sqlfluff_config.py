"""The sqlfluff set-up (`.sqlfluff`, lint/sqlfluff_library) lints our SQL as STYLE.md asks, and the
macro compile cache of lint/sqlfluff_library keeps every rule firing.

`make lint-sql` runs sqlfluff over the whole tree; these tests lint two small strings in-process
(a few seconds) so that a config change that silently stops a rule, or a cache that serves a
stale macro, fails here.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlfluff.core import FluffConfig, Linter

LOG = logging.getLogger(__name__)
PROJECT_DIR = Path(__file__).resolve().parents[2]

CLEAN_MODEL = """with

accounts as (
    select * from {{ ref('stg_accounts_db__accounts') }}
),

hashed as (
    select
        user_id_sha256,
        {{ sha256_hex("'constant'") }} as constant_sha256
    from accounts
)

select * from hashed
"""


@pytest.fixture(scope="module")
def linter() -> Iterator[Linter]:
    """A linter with the project's .sqlfluff, run from the project root (relative paths)."""
    previous = Path.cwd()
    os.chdir(PROJECT_DIR)
    try:
        yield Linter(config=FluffConfig.from_root())
    finally:
        os.chdir(previous)


def rule_codes(linter: Linter, sql: str, name: str) -> set[str]:
    result = linter.lint_string(sql, fname=str(PROJECT_DIR / "models" / f"{name}.sql"))
    return {violation.rule_code() for violation in result.get_violations()}


def test_clean_model_using_a_project_macro_passes(linter: Linter) -> None:
    assert rule_codes(linter, CLEAN_MODEL, "lint_probe_clean") == set()


@pytest.mark.parametrize(
    ("sql", "rule"),
    [
        (CLEAN_MODEL.replace("select *", "SELECT *", 1), "CP01"),  # lowercase keywords
        (CLEAN_MODEL.replace("        user_id_sha256,", "        user_id_sha256 ,"), "LT01"),
        (CLEAN_MODEL.replace(" as constant_sha256", " constant_sha256"), "AL02"),  # explicit as
        (CLEAN_MODEL.replace("from accounts\n", "from accounts as a\n"), "AL06"),  # no s/h
        (CLEAN_MODEL.replace("user_id_sha256,", "user_id_sha256::varchar as user_id,"), "CV11"),
    ],
)
def test_style_rules_fire(linter: Linter, sql: str, rule: str) -> None:
    assert rule in rule_codes(linter, sql, "lint_probe_dirty")


def test_macro_compile_cache_serves_every_file(linter: Linter) -> None:
    """The cache is filled, and a macro rendered from it still renders (two files in a row)."""
    from sqlfluff.core.templaters.jinja import JinjaTemplater

    for index in range(2):
        assert rule_codes(linter, CLEAN_MODEL, f"lint_probe_{index}") == set()
    cache = getattr(JinjaTemplater, "_fxa_metrics_compiled_macros", None)
    assert cache, "lint/sqlfluff_library did not install its macro compile cache"
    LOG.info("%d macro files compiled once", len(cache))
    rendered = linter.render_string(
        CLEAN_MODEL, str(PROJECT_DIR / "models" / "lint_probe_render.sql"), linter.config, "utf-8"
    )
    sql = str(rendered.templated_variants[0])
    assert "sha256(" in sql and "{{" not in sql, f"the macro did not render: {sql}"
