"""Cross-engine comparison (fxa_metrics_tools.bigquery_check_engines): a model's BigQuery SQL run
by ZetaSQL's reference evaluator on the DuckDB rows of its inputs, compared row for row with the
DuckDB result. The comparator must catch the classic traps (here: CONCAT with a NULL argument
and integer division), and the values it ships survive the trip (NUMERIC, TIMESTAMP, DATE,
arrays, nested structs from flattened columns).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from fxa_metrics_tools import bigquery_check as bc
from fxa_metrics_tools import bigquery_check_engines as xe
from fxa_metrics_tools.testing import PROJECT_DIR, run_dbt

# inputs (or a DuckDB result) above this many rows are hash-sampled for the reference evaluator
MAX_ROWS = 1000


@pytest.fixture(scope="module")
def analyzer() -> Any:
    if not (bc.SERVER_DIR / "remote_server.so").exists():
        pytest.fail("the ZetaSQL analyzer is not installed: run `make zetasql-setup`")
    with bc.analyzer_server() as stub:
        yield stub, bc.bigquery_analyzer_options(stub)


def project(model_sql: str) -> tuple[dict[str, Any], dict[str, Any], bc.Catalog]:
    """BigQuery and DuckDB nodes for one source `raw.src` and one model `out.m`."""
    bq_nodes = {
        "source.p.raw.src": {
            "unique_id": "source.p.raw.src",
            "resource_type": "source",
            "relation_name": "`proj`.`raw`.`src`",
        },
        "model.p.m": {
            "unique_id": "model.p.m",
            "resource_type": "model",
            "relation_name": "`proj`.`out`.`m`",
            "compiled_code": model_sql,
            "depends_on": {"nodes": ["source.p.raw.src"]},
            "config": {},
        },
    }
    duck_nodes = {
        "source.p.raw.src": {"schema": "raw", "name": "src", "alias": "src"},
        "model.p.m": {"schema": "out", "name": "m", "alias": "m"},
    }
    catalog = bc.Catalog()
    catalog.set(
        ("proj", "raw", "src"),
        bc.nest_flattened(
            [
                ("id", "INT64"),
                ("a", "STRING"),
                ("b", "STRING"),
                ("amount", "NUMERIC"),
                ("seen_at", "TIMESTAMP"),
                ("day", "DATE"),
                ("tags", "ARRAY<STRING>"),
                ("meta__geo__country", "STRING"),
            ]
        ),
    )
    return bq_nodes, duck_nodes, catalog


@pytest.fixture
def warehouse() -> Any:
    con = duckdb.connect()
    con.execute("create schema raw; create schema out")
    con.execute(
        "create table raw.src as select * from (values"
        " (1, 'x', null, 12.50::decimal(18, 2), timestamptz '2024-03-01 10:00:00+00',"
        "  date '2024-03-01', ['p', 'q'], 'DE'),"
        " (2, 'y', 'z', 0.10::decimal(18, 2), timestamptz '2024-03-02 23:59:59.5+00',"
        "  date '2024-03-02', [], null)"
        ") as t(id, a, b, amount, seen_at, day, tags, meta__geo__country)"
    )
    yield con
    con.close()


def run(analyzer: Any, con: Any, bigquery_sql: str, duckdb_sql: str) -> xe.ModelResult:
    stub, options = analyzer
    con.execute(f"create or replace table out.m as {duckdb_sql}")
    bq_nodes, duck_nodes, catalog = project(bigquery_sql)
    return xe.evaluate_model(
        stub, options, con, bq_nodes["model.p.m"], bq_nodes, duck_nodes, catalog, 1000
    )


def test_same_rows_on_both_engines(analyzer: Any, warehouse: Any) -> None:
    result = run(
        analyzer,
        warehouse,
        "select id, amount * 2 as amount, seen_at, day, tags, meta.geo.country as country,"
        " timestamp_add(seen_at, interval 1 day) as next_at from `proj`.`raw`.`src`",
        "select id, amount * 2 as amount, seen_at, day, tags, meta__geo__country as country,"
        " seen_at + interval 1 day as next_at from raw.src",
    )
    assert result.ok, result.line()
    assert (result.bigquery_rows, result.duckdb_rows) == (2, 2)


def test_concat_with_null_differs(analyzer: Any, warehouse: Any) -> None:
    """DuckDB's concat skips NULL arguments, BigQuery's returns NULL: caught on row id 1."""
    result = run(
        analyzer,
        warehouse,
        "select id, concat(a, b) as ab from `proj`.`raw`.`src`",
        "select id, concat(a, b) as ab from raw.src",
    )
    assert not result.ok
    assert result.only_bigquery == [(1, None)]
    assert result.only_duckdb == [(1, "x")]


def test_greatest_with_null_differs(analyzer: Any, warehouse: Any) -> None:
    """BigQuery's GREATEST is NULL when an argument is, DuckDB's skips NULLs: the trap the
    comparison found in the revenue views (months_after_current_period_before_ongoing_discount_ends,
    fixed with coalesce in macros/logical_subscription_revenue.sql)."""
    result = run(
        analyzer,
        warehouse,
        "select id, greatest(length(b), 0) as n from `proj`.`raw`.`src`",
        "select id, greatest(length(b), 0) as n from raw.src",
    )
    assert not result.ok
    assert (result.only_bigquery, result.only_duckdb) == ([(1, None)], [(1, 0)])
    fixed = run(
        analyzer,
        warehouse,
        "select id, greatest(coalesce(length(b), 0), 0) as n from `proj`.`raw`.`src`",
        "select id, greatest(coalesce(length(b), 0), 0) as n from raw.src",
    )
    assert fixed.ok, fixed.line()


def test_integer_division_differs(analyzer: Any, warehouse: Any) -> None:
    """BigQuery's DIV truncates, DuckDB's `/` on integers gives a DOUBLE: 3 / 2 = 1.5."""
    result = run(
        analyzer,
        warehouse,
        "select id, div(id + 1, 2) as half from `proj`.`raw`.`src`",
        "select id, (id + 1) / 2 as half from raw.src",
    )
    assert not result.ok
    assert result.only_bigquery == [(2, 1)]
    assert result.only_duckdb == [(2, 1.5)]


def test_value_round_trip() -> None:
    numeric = bc.parse_type("NUMERIC")
    for value in [Decimal("12.5"), Decimal("-0.000000001"), Decimal("99999999999.123456789")]:
        wire = xe.to_value(numeric, value).numeric_value
        assert xe._from_numeric_bytes(wire, 9) == value
        assert xe.from_value(numeric, xe.to_value(numeric, value)) == xe.normalise(float(value))
    stamp = bc.parse_type("TIMESTAMP")
    at = dt.datetime(2024, 3, 2, 23, 59, 59, 500000, tzinfo=dt.UTC)
    assert xe.from_value(stamp, xe.to_value(stamp, at)) == at.replace(tzinfo=None)
    datetime_type = bc.parse_type("DATETIME")
    local = dt.datetime(1999, 12, 31, 23, 59, 58, 123456)
    assert xe.from_value(datetime_type, xe.to_value(datetime_type, local)) == local
    nested = bc.parse_type("ARRAY<STRUCT<id STRING, n INT64>>")
    value = [{"id": "a", "n": 1}, {"id": None, "n": 2}]
    assert xe.from_value(nested, xe.to_value(nested, value)) == xe.normalise(value)


# the folders of the chains in fxa_metrics_tools.bigquery_check_engines.CHAINS, for dbt --select
CHAIN_SELECTION = [
    f"path:models/{prefix.rstrip('/')}"
    for chain in ("subplat", "fxa")
    for prefix in xe.CHAINS[chain]
]


def test_subplat_chain_and_fxa_rollups_give_the_same_rows_on_both_engines(
    built_warehouse: Path, tmp_path: Path
) -> None:
    """Every SubPlat model and FxA user rollup: BigQuery SQL (make bigquery-compile) in the
    reference evaluator = DuckDB, on the demo warehouse's rows (hash-sampled inputs above
    MAX_ROWS rows, both engines on the same sample)."""
    bq_target = PROJECT_DIR / "target_bigquery"
    if not (bq_target / "manifest.json").exists():
        pytest.fail(f"no {bq_target}/manifest.json: run `make bigquery-compile` first")
    run_dbt(
        ["compile", "--full-refresh", "--quiet", "--select", *CHAIN_SELECTION],
        built_warehouse,
        tmp_path / "duckdb",
    )
    duck_manifest = tmp_path / "duckdb" / "manifest.json"
    results = xe.compare(
        bq_target,
        duck_manifest,
        built_warehouse,
        ["subplat", "fxa"],
        MAX_ROWS,
        duck_compiled=duck_manifest,
    )
    by_name = {r.node.split(".")[-1]: r for r in results}
    core = {
        "stripe_logical_subscriptions_history_v1",
        "logical_subscriptions_history_v1",
        "daily_active_logical_subscriptions_v1",
        "monthly_active_logical_subscriptions_v1",
        "logical_subscription_events_v1",
        "int_logical_daily_active_subscriptions_revenue",
        "int_logical_monthly_active_subscriptions_revenue",
        "daily_active_logical_subscriptions",
        "fxa_users_daily_v1",
        "fxa_users_services_daily_v2",
        "fxa_users_last_seen_v1",
    }
    assert core <= set(by_name)
    problems = [r.line() for r in results if r.skipped or not r.ok]
    assert not problems, "\n".join(problems)
    # not compared on nothing: the sample keeps rows for every core model
    empty = sorted(name for name in core if by_name[name].bigquery_rows == 0)
    assert not empty, f"compared on no rows: {empty}"
