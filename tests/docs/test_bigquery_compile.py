"""The BigQuery target, proven offline: every model and data test compiles for BigQuery (no
network, no credentials; see fxa_metrics_tools.bigquery_offline), and the incremental and large
tables carry the partitioning, clustering and incremental strategy the spec files ask for.

Whether BigQuery accepts the SQL (syntax, names, types, signatures) is `make bigquery-check`'s
job (Google's analyzer, tests/bigquery). What is left here is what the analyzer cannot judge:
functions its maximum feature set knows and BigQuery lacks or reads differently, and hex ids
(sha256() is BYTES on BigQuery: the analyzer accepts it, our id columns must be hex strings).

Two compilations: "fresh" (no relation exists: full-refresh branches) and "incremental" (every
relation exists: the `{% if is_incremental() %}` branches production runs daily). `make
bigquery-compile` writes them to target_bigquery[_incremental]; this test reuses them when they
are newer than every project file and compiles itself otherwise.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlglot.dialects.bigquery import BigQuery
from sqlglot.tokens import Token, TokenType

LOG = logging.getLogger(__name__)
PROJECT_DIR = Path(__file__).resolve().parents[2]
BQ_TARGET = Path(os.environ.get("BQ_TARGET", PROJECT_DIR / "target_bigquery"))
if not BQ_TARGET.is_absolute():
    BQ_TARGET = PROJECT_DIR / BQ_TARGET
MODES = {"fresh": BQ_TARGET, "incremental": BQ_TARGET.with_name(BQ_TARGET.name + "_incremental")}
INPUTS = ["models", "macros", "tests/dbt", "seeds", "dbt_project.yml", "profiles.yml"]

# Functions ZetaSQL's maximum feature set accepts but BigQuery has not (checked with the analyzer:
# every other DuckDB-only function of the former deny-list is "Function not found" there).
ANALYZER_ONLY_FUNCTIONS = {
    "typeof": "(no equivalent)",
    "range": "generate_array (BigQuery's RANGE() builds a range value, not a series)",
}
# sha256() returns BYTES on BigQuery; our ids are hex strings (sha256_hex macro)
SHA256_WRAPPERS = {"to_hex", "to_base64"}


def newest_input_mtime() -> float:
    newest = 0.0
    for name in INPUTS:
        path = PROJECT_DIR / name
        files = [path] if path.is_file() else path.rglob("*") if path.exists() else []
        for file in files:
            if file.is_file() and file.suffix in {".sql", ".yml", ".yaml", ".md", ".csv"}:
                newest = max(newest, file.stat().st_mtime)
    return newest


def compiled_manifest(mode: str) -> dict[str, Any]:
    """The manifest of a successful offline BigQuery compile in that mode (compiling if stale)."""
    target = MODES[mode]
    manifest = target / "manifest.json"
    results = target / "run_results.json"
    fresh = (
        manifest.exists()
        and results.exists()
        and results.stat().st_mtime >= newest_input_mtime()
        and json.loads(results.read_text())["args"].get("which") == "compile"
    )
    if not fresh:
        command = [
            sys.executable,
            "-m",
            "fxa_metrics_tools.bigquery_offline",
            "--target-path",
            str(target),
        ]
        if mode == "incremental":
            command.append("--assume-existing")
        env = {**os.environ, "PYTHONPATH": str(PROJECT_DIR)}
        result = subprocess.run(
            command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            pytest.fail(
                f"offline dbt compile for BigQuery ({mode}) failed:\n"
                f"{result.stdout[-5000:]}\n{result.stderr[-3000:]}"
            )
    failed = [
        item["unique_id"]
        for item in json.loads(results.read_text())["results"]
        if item["status"] not in ("success", "pass")
    ]
    assert not failed, f"BigQuery compile ({mode}) failed for: {failed}"
    return json.loads(manifest.read_text())


def calls(tokens: list[Token]) -> list[tuple[int, str]]:
    """(index, lower-case name) of every `name(` in the token stream."""
    return [
        (index, token.text.lower())
        for index, token in enumerate(tokens[:-1])
        if tokens[index + 1].token_type == TokenType.L_PAREN
        and token.token_type not in (TokenType.STRING, TokenType.IDENTIFIER)
    ]


def bigquery_problems(sql: str) -> list[str]:
    """What the analyzer lets through and BigQuery (or our hex-id rule) does not (empty if none)."""
    tokens = BigQuery().tokenize(sql)
    problems = []
    for index, name in calls(tokens):
        if name in ANALYZER_ONLY_FUNCTIONS and not (
            index > 0 and tokens[index - 1].token_type == TokenType.DOT
        ):
            problems.append(
                f"line {tokens[index].line}: function {name}() "
                f"(BigQuery: {ANALYZER_ONLY_FUNCTIONS[name]})"
            )
        if name == "sha256" and not (
            index >= 2
            and tokens[index - 1].token_type == TokenType.L_PAREN
            and tokens[index - 2].text.lower() in SHA256_WRAPPERS
        ):
            problems.append(
                f"line {tokens[index].line}: sha256() returns BYTES on BigQuery; "
                "use to_hex(sha256(...)) via sha256_hex()"
            )
    return problems


@pytest.mark.parametrize(
    ("sql", "problem"),
    [
        ("select typeof(x) as t from t", "typeof"),
        ("select range(1, 5) as r from t", "range"),
        ("select sha256(cast(x as string)) as h from t", "sha256"),
    ],
)
def test_denylist_catches_duckdb_sql(sql: str, problem: str) -> None:
    problems = bigquery_problems(sql)
    assert any(problem in text for text in problems), f"{sql!r} passed: {problems}"


def test_denylist_accepts_bigquery_sql() -> None:
    sql = """
        select
            to_hex(sha256(cast(x as string))) as h,
            safe_cast(y as int64) as y,
            struct(a as a, b as b) as s,
            format_timestamp('%Y', ts) as year_text,
            json_value(safe.parse_json(j), '$."a"') as a,
            date_trunc(d, month) as month_start
        from `project`.`dataset`.`table`
        qualify row_number() over (partition by x order by ts desc) = 1
    """
    assert bigquery_problems(sql) == []


@pytest.mark.slow
@pytest.mark.parametrize("mode", sorted(MODES))
def test_compiled_sql_is_bigquery_sql(mode: str) -> None:
    manifest = compiled_manifest(mode)
    nodes = [
        node
        for node in manifest["nodes"].values()
        if node["package_name"] == "fxa_metrics"
        and node["resource_type"] in ("model", "test", "snapshot", "analysis")
        and node["config"].get("enabled", True)
    ]
    assert any(node["resource_type"] == "model" for node in nodes), "no model compiled"
    uncompiled = [node["unique_id"] for node in nodes if not node.get("compiled_code")]
    assert not uncompiled, f"not compiled for BigQuery ({mode}): {uncompiled}"
    offenders = []
    for node in nodes:
        for problem in bigquery_problems(node["compiled_code"]):
            offenders.append(f"{node['original_file_path']} [{node['name']}]: {problem}")
    LOG.info("%s: %d nodes checked against BigQuery's dialect", mode, len(nodes))
    assert not offenders, f"{len(offenders)} DuckDB-only or invalid BigQuery SQL ({mode}):\n  " + (
        "\n  ".join(offenders)
    )


# Spec (subscriptions.md 5 and 8, fxa-events.md 3): partition column, granularity, clustering
# and strategy on BigQuery. History tables are rewritten whole and clustered; daily tables are
# incremental, overwriting the partition of their day.
SUBPLAT_TABLES: dict[str, dict[str, Any]] = {
    "stripe_logical_subscriptions_history_v1": {"cluster_by": ["valid_to", "valid_from"]},
    "apple_logical_subscriptions_history_v1": {"cluster_by": ["valid_to", "valid_from"]},
    "google_logical_subscriptions_history_v1": {"cluster_by": ["valid_to", "valid_from"]},
    "logical_subscriptions_history_v1": {"cluster_by": ["valid_to", "valid_from"]},
    "daily_active_logical_subscriptions_v1": {"partition": ("date", "day")},
    "monthly_active_logical_subscriptions_v1": {"partition": ("month_start_date", None)},
    "service_subscriptions_history_v1": {"cluster_by": ["valid_to", "valid_from"]},
    "daily_active_service_subscriptions_v1": {"partition": ("date", "day")},
    "monthly_active_service_subscriptions_v1": {"partition": ("month_start_date", None)},
}
# line_date: the day of our own log-quality tables (fxa_log_quarantine_v1,
# fxa_log_line_outcomes_daily_v1), submission_date or the ingestion day of a line without a time
FXA_DAY_COLUMNS = {"submission_date", "timestamp", "first_seen_date", "date", "line_date"}
FXA_SCHEMAS = {"firefox_accounts_derived", "accounts_backend_derived", "accounts_frontend_derived"}


def partition_problems(
    name: str, config: dict[str, Any], field: str, grain: str | None
) -> list[str]:
    """Partition, materialization and strategy problems of one daily table (first_seen tables
    may merge: their insert-only day also updates earlier users' rows in v1)."""
    partition = config.get("partition_by") or {}
    problems = []
    if (partition.get("field") or "").lower() != field:
        problems.append(f"{name}: partition_by field {partition.get('field')!r}, spec: {field!r}")
    if grain and (partition.get("granularity") or "day") != grain:
        problems.append(
            f"{name}: partition granularity {partition.get('granularity')!r} != {grain}"
        )
    if config.get("materialized") != "incremental":
        problems.append(f"{name}: materialized {config.get('materialized')!r}, spec: incremental")
    strategies = {"insert_overwrite"} | ({"merge"} if "first_seen" in name else set())
    if config.get("incremental_strategy") not in strategies:
        problems.append(
            f"{name}: incremental_strategy {config.get('incremental_strategy')!r}, "
            "spec: insert_overwrite (the day's partition is rewritten)"
        )
    return problems


@pytest.mark.slow
def test_bigquery_partitioning_clustering_and_strategy() -> None:
    manifest = compiled_manifest("fresh")
    models = {
        node["name"]: node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["package_name"] == "fxa_metrics"
    }
    problems = []
    for name, expected in SUBPLAT_TABLES.items():
        if name not in models:
            problems.append(f"{name}: model missing (spec subscriptions.md)")
            continue
        config = models[name]["config"]
        if "partition" in expected:
            problems += partition_problems(name, config, *expected["partition"])
        if "cluster_by" in expected:
            cluster_by = config.get("cluster_by") or []
            cluster_by = [cluster_by] if isinstance(cluster_by, str) else cluster_by
            if [column.lower() for column in cluster_by] != expected["cluster_by"]:
                problems.append(
                    f"{name}: cluster_by {cluster_by!r}, spec: {expected['cluster_by']!r}"
                )
    fxa_incremental = [
        node
        for node in models.values()
        if node["schema"] in FXA_SCHEMAS and node["config"].get("materialized") == "incremental"
    ]
    for node in fxa_incremental:
        config = node["config"]
        field = ((config.get("partition_by") or {}).get("field") or "").lower()
        if field not in FXA_DAY_COLUMNS:
            problems.append(
                f"{node['name']}: partition_by field {field or None!r}, spec: one of "
                f"{sorted(FXA_DAY_COLUMNS)} (fxa-events.md 3)"
            )
        else:
            problems += partition_problems(node["name"], config, field, "day")
    LOG.info("%d FxA incremental models checked", len(fxa_incremental))
    assert not problems, "BigQuery table configs differ from the spec:\n  " + "\n  ".join(problems)
