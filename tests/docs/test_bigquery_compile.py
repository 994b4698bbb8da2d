"""The BigQuery target, proven offline: every model and data test compiles for BigQuery (no
network, no credentials; see fxa_metrics_tools.bigquery_offline), the compiled SQL parses with
sqlglot's BigQuery dialect and contains no DuckDB-only syntax, and the incremental and large
tables carry the partitioning, clustering and incremental strategy the spec files ask for.

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
import sqlglot
from sqlglot.dialects.bigquery import BigQuery
from sqlglot.errors import SqlglotError
from sqlglot.tokens import Token, TokenType

LOG = logging.getLogger(__name__)
PROJECT_DIR = Path(__file__).resolve().parents[2]
BQ_TARGET = Path(os.environ.get("BQ_TARGET", PROJECT_DIR / "target_bigquery"))
if not BQ_TARGET.is_absolute():
    BQ_TARGET = PROJECT_DIR / BQ_TARGET
MODES = {"fresh": BQ_TARGET, "incremental": BQ_TARGET.with_name(BQ_TARGET.name + "_incremental")}
INPUTS = ["models", "macros", "tests/dbt", "seeds", "dbt_project.yml", "profiles.yml"]

# Functions DuckDB has and BigQuery does not (BigQuery's spelling in brackets, for the message).
DUCKDB_ONLY_FUNCTIONS = {
    "struct_pack": "struct(expr as name), via struct_of()",
    "struct_insert": "struct(...)",
    "struct_extract": "struct.field",
    "list_value": "[...]",
    "list": "array_agg",
    "list_aggregate": "array subquery",
    "list_transform": "array subquery",
    "list_filter": "array subquery",
    "list_sort": "array subquery with order by",
    "list_distinct": "array(select distinct ...)",
    "list_contains": "value in unnest(array)",
    "list_extract": "array[offset(n)]",
    "array_contains": "value in unnest(array)",
    "array_sort": "array subquery with order by",
    "strftime": "format_timestamp, via format_timestamp_id()",
    "strptime": "parse_timestamp",
    "json_extract_string": "json_value, via json_value()",
    "json_valid": "safe.parse_json, via is_valid_json()",
    "epoch_ms": "timestamp_millis / unix_millis",
    "epoch_us": "timestamp_micros / unix_micros",
    "epoch_ns": "unix_micros",
    "epoch": "unix_seconds",
    "to_timestamp": "timestamp_seconds",
    "make_date": "date(y, m, d)",
    "make_timestamp": "timestamp(datetime(...))",
    "date_part": "extract(part from x)",
    "datepart": "extract(part from x)",
    "datediff": "date_diff, via dbt.datediff()",
    "try_cast": "safe_cast",
    "regexp_matches": "regexp_contains",
    "regexp_full_match": "regexp_contains with ^...$",
    "string_split": "split",
    "str_split": "split",
    "string_split_regex": "split",
    "split_part": "split(...)[safe_offset(n)]",
    "bool_or": "logical_or",
    "bool_and": "logical_and",
    "arg_max": "array_agg(... order by ... limit 1)[offset(0)]",
    "arg_min": "array_agg(... order by ... limit 1)[offset(0)]",
    "argmax": "array_agg(... order by ... limit 1)[offset(0)]",
    "argmin": "array_agg(... order by ... limit 1)[offset(0)]",
    "count_if": "countif",
    "hash": "farm_fingerprint",
    "uuid": "generate_uuid",
    "gen_random_uuid": "generate_uuid",
    "now": "current_timestamp()",
    "today": "current_date()",
    "strlen": "length",
    "len": "length",
    "printf": "format",
    "concat_ws": "array_to_string([...], sep)",
    "listagg": "string_agg",
    "group_concat": "string_agg",
    "median": "percentile_cont(x, 0.5) over ()",
    "quantile": "approx_quantiles / percentile_cont",
    "mode": "a dispatched macro (mode_last_columns)",
    "generate_series": "generate_array / generate_date_array",
    "range": "generate_array",
    "position": "strpos",
    "contains": "strpos(...) > 0 / contains_substr",
    "isnan": "is_nan",
    "isinf": "is_inf",
    "year": "extract(year from x)",
    "month": "extract(month from x)",
    "day": "extract(day from x)",
    "hour": "extract(hour from x)",
    "dayofweek": "extract(dayofweek from x)",
    "dayofyear": "extract(dayofyear from x)",
    "typeof": "(no equivalent)",
    "first": "any_value / array_agg(...)[offset(0)]",
    "last": "array_agg(... order by ... desc)[offset(0)]",
}
# Operators and tokens DuckDB accepts and BigQuery rejects (or reads differently).
DUCKDB_ONLY_TOKENS = {
    TokenType.DCOLON: "`::` cast (use cast(x as type))",
    TokenType.COLON_EQ: "`:=` named argument (struct_pack)",
    TokenType.ARROW: "`->` JSON / lambda operator",
    TokenType.DARROW: "`->>` JSON operator",
    TokenType.ILIKE: "ilike (use lower(x) like ...)",
    TokenType.L_BRACE: "{...} struct / map literal (use struct(... as name))",
}
# Type names BigQuery accepts in cast() / safe_cast() (GoogleSQL types and documented aliases).
BIGQUERY_TYPES = {
    "string",
    "bytes",
    "int64",
    "int",
    "smallint",
    "integer",
    "bigint",
    "tinyint",
    "byteint",
    "numeric",
    "decimal",
    "bignumeric",
    "bigdecimal",
    "float64",
    "bool",
    "boolean",
    "date",
    "datetime",
    "time",
    "timestamp",
    "json",
    "array",
    "struct",
    "interval",
    "geography",
    "range",
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


def cast_types(tokens: list[Token]) -> list[str]:
    """The type named in every cast(... as type) / safe_cast(... as type)."""
    found = []
    for index, name in calls(tokens):
        if name not in ("cast", "safe_cast"):
            continue
        depth = 0
        for position in range(index + 1, len(tokens)):
            token = tokens[position]
            if token.token_type == TokenType.L_PAREN:
                depth += 1
            elif token.token_type == TokenType.R_PAREN:
                depth -= 1
                if depth == 0:
                    break
            elif depth == 1 and token.token_type == TokenType.ALIAS and position + 1 < len(tokens):
                found.append(tokens[position + 1].text.lower())
                break
    return found


def bigquery_problems(sql: str) -> list[str]:
    """Why this SQL is not BigQuery SQL (empty when it is)."""
    try:
        tokens = BigQuery().tokenize(sql)
        sqlglot.parse(sql, read="bigquery")
    except SqlglotError as error:
        return [f"does not parse as BigQuery: {str(error).splitlines()[0][:300]}"]
    problems = []
    for token in tokens:
        if token.token_type in DUCKDB_ONLY_TOKENS:
            problems.append(f"line {token.line}: {DUCKDB_ONLY_TOKENS[token.token_type]}")
    for index, name in calls(tokens):
        if name in DUCKDB_ONLY_FUNCTIONS and not (
            index > 0 and tokens[index - 1].token_type == TokenType.DOT
        ):
            problems.append(
                f"line {tokens[index].line}: DuckDB function {name}() "
                f"(BigQuery: {DUCKDB_ONLY_FUNCTIONS[name]})"
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
    for type_name in cast_types(tokens):
        if type_name not in BIGQUERY_TYPES:
            problems.append(f"cast to {type_name!r}, not a BigQuery type")
    return problems


@pytest.mark.parametrize(
    ("sql", "problem"),
    [
        ("select x::int as y from t", "::"),
        ("select struct_pack(a := 1) as s from t", "struct_pack"),
        ("select strftime(ts, '%Y') as y from t", "strftime"),
        ("select json_extract_string(j, '$.a') as a from t", "json_extract_string"),
        ("select epoch_ms(ms) as ts from t", "epoch_ms"),
        ("select list(x) as xs from t", "list"),
        ("select sha256(cast(x as string)) as h from t", "sha256"),
        ("select cast(x as varchar) as y from t", "varchar"),
        ("select {'a': 1} as s from t", "struct / map literal"),
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
