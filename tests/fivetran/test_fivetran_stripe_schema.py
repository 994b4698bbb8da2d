"""The SubPlat chain runs on a Fivetran-shaped Stripe sync, with or without optional inputs
(issue 13; issue 18's item on periods kept on subscription_item only).

In a DuckDB file of its own (never the warehouse): the reference seeds copied from the built
demo warehouse, empty Apple and Google histories, and the fixture of
``fivetran_stripe_fixture.py`` (Fivetran's table and column names and types, extra Fivetran
columns included). Each scenario's version of the fixture is loaded in turn into schema
fivetran_stripe, which the var `stripe_schema` points at (fixed for the session: dbt renders
source schemas at parse time). One in-process dbt session (parsed once) runs the staging models
through stripe_logical_subscriptions_history_v1 and logical_subscriptions_history_v1 for:

- ``full``: every contract column present; checked against values worked out by hand;
- ``no_optional_columns``: every optional column of the contract dropped at once (History Mode
  columns excepted, see ``history_mode_off``); the columns are filled independently, so one
  build covers each of them;
- ``no_optional_tables``: every optional table absent at once;
- ``history_mode_off``: `_fivetran_start/_end/_active` absent (one current row per
  subscription, `_fivetran_synced` stands in) and the billing period only on subscription_item;
- ``package``: empty tables with the column sets of the Stripe tables in Fivetran's own dbt
  package's integration tests (History Mode off, four tables absent): every model must pass;
- ``missing_required``: required columns and a required table absent: the on-run-start check
  must stop the run with one message naming exactly those, and no model may run.

The dropped scenarios must build, keep every row and every column that does not depend on
what was dropped, and lose only columns the contract says they lose.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
import yaml
from fivetran_stripe_fixture import (
    ACCOUNT_A,
    ACCOUNT_B,
    FIVETRAN_PACKAGE_COLUMNS,
    SYNCED,
    create_package_shaped_tables,
    create_tables,
    derive_schema,
)

from fxa_metrics_tools.testing import PROJECT_DIR, DbtSession, duckdb_path_env, snapshot_tables

SOURCES_YML = PROJECT_DIR / "models" / "staging" / "stripe" / "_stripe__sources.yml"
MARTS = {
    "stripe_history": "subscription_platform_derived.stripe_logical_subscriptions_history_v1",
    "logical_history": "subscription_platform_derived.logical_subscriptions_history_v1",
}
STRIPE_SCHEMA = "fivetran_stripe"  # the var stripe_schema points here
SELECT = ["+stripe_logical_subscriptions_history_v1", "+logical_subscriptions_history_v1"]
HISTORY_MODE_COLUMNS = {"_fivetran_start", "_fivetran_end", "_fivetran_active", "_fivetran_synced"}

# mart fields that depend only on required inputs: identical whatever optional input is absent
KEPT_FIELDS = [
    "id",
    "valid_from",
    "valid_to",
    "provider_subscription_id",
    "provider_subscription_item_id",
    "provider_subscription_created_at",
    "provider_customer_id",
    "mozilla_account_id",
    "services",
    "provider_product_id",
    "provider_plan_id",
    "plan_interval_type",
    "plan_interval_count",
    "plan_currency",
    "plan_amount",
    "is_active",
    "provider_status",
    "started_at",
]
# what the contract (if_missing) says optional columns / tables may cost in the mart
MAY_LOSE = {
    "product_name",
    "payment_provider",
    "country_code",
    "is_trial",
    "ended_at",
    "ended_reason",
    "current_period_started_at",
    "current_period_ends_at",
    "auto_renew",
    "auto_renew_disabled_at",
    "initial_discount_name",
    "initial_discount_promotion_code",
    "current_period_discount_name",
    "current_period_discount_promotion_code",
    "current_period_discount_amount",
    "ongoing_discount_name",
    "ongoing_discount_promotion_code",
    "ongoing_discount_amount",
    "ongoing_discount_ends_at",
    "has_refunds",
    "has_fraudulent_charges",
    "payment_method",
}


def contract_tables() -> list[dict]:
    return yaml.safe_load(SOURCES_YML.read_text())["sources"][0]["tables"]


def contract() -> dict[str, dict]:
    """table -> {'required': bool, 'optional_columns': [names]} from the source yml."""
    found = {}
    for table in contract_tables():
        optional = [
            column["name"]
            for column in table["columns"]
            if not column["config"]["meta"]["required"]
        ]
        found[table["name"]] = {
            "required": table["config"]["meta"]["required"],
            "optional_columns": optional,
        }
    return found


def optional_columns_but_history_mode() -> dict[str, list[str]]:
    return {
        table: [name for name in spec["optional_columns"] if name not in HISTORY_MODE_COLUMNS]
        for table, spec in contract().items()
    }


SCENARIOS = {
    "full": {},
    "no_optional_columns": {"drop_columns": optional_columns_but_history_mode()},
    "no_optional_tables": {
        "drop_tables": [table for table, spec in contract().items() if not spec["required"]]
    },
    "history_mode_off": {
        "drop_columns": {
            "subscription_history": [
                "_fivetran_start",
                "_fivetran_end",
                "_fivetran_active",
                "current_period_start",
                "current_period_end",
            ]
        },
        "where": {"subscription_history": "_fivetran_active"},
    },
}
MISSING_REQUIRED = {
    "drop_columns": {
        "subscription_history": ["status", "_fivetran_start", "_fivetran_synced"],
        "customer": ["metadata"],
        "plan": ["currency"],
    },
    "drop_tables": ["subscription_item"],
}


@pytest.fixture(scope="module")
def fivetran_db(built_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The test's own DuckDB file: reference seeds, empty Apple/Google, one schema per case."""
    path = tmp_path_factory.mktemp("fivetran") / "fxa_metrics_fivetran.duckdb"
    with duckdb.connect(str(path)) as connection:
        connection.execute(f"attach '{built_warehouse}' as built (read_only)")
        for schema, condition in [
            ("reference", ""),
            ("apple", " where false"),
            ("google", " where false"),
        ]:
            connection.execute(f"create schema {schema}")
            tables = connection.execute(
                "select table_name from information_schema.tables "
                "where table_catalog = 'built' and table_schema = ?",
                [schema],
            ).fetchall()
            for (table,) in tables:
                connection.execute(
                    f"create table {schema}.{table} as "
                    f"select * from built.{schema}.{table}{condition}"
                )
        connection.execute("detach built")
        create_tables(connection, "fixture_complete")
    with duckdb_path_env(path):
        yield path


def load_scenario(path: Path, changes: dict) -> None:
    """The scenario's tables (the complete fixture minus what it drops) in STRIPE_SCHEMA."""
    with duckdb.connect(str(path)) as connection:
        connection.execute(f"drop schema if exists {STRIPE_SCHEMA} cascade")
        derive_schema(connection, "fixture_complete", STRIPE_SCHEMA, **changes)


def staging_views(path: Path) -> dict[str, str]:
    with duckdb.connect(str(path)) as connection:
        names = connection.execute(
            "select table_name from information_schema.tables "
            "where table_schema = 'staging' and table_name like 'stg_stripe__%'"
        ).fetchall()
    return {name: f"staging.{name}" for (name,) in names}


@pytest.fixture(scope="module")
def built(fivetran_db: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """Every scenario built in turn, its staging views and marts copied to out_<scenario>;
    the failed run of missing_required kept as 'missing_required'."""
    session = DbtSession(
        tmp_path_factory.mktemp("fivetran_target"), parse_vars={"stripe_schema": STRIPE_SCHEMA}
    )
    for name, changes in SCENARIOS.items():
        load_scenario(fivetran_db, changes)
        session.run(SELECT, {})
        snapshot_tables(fivetran_db, {**staging_views(fivetran_db), **MARTS}, f"out_{name}")
    with duckdb.connect(str(fivetran_db)) as connection:
        connection.execute(f"drop schema if exists {STRIPE_SCHEMA} cascade")
        types = {
            table["name"]: {column["name"]: column["data_type"] for column in table["columns"]}
            for table in contract_tables()
        }
        create_package_shaped_tables(connection, STRIPE_SCHEMA, types)
    session.run(SELECT, {})
    snapshot_tables(fivetran_db, {**staging_views(fivetran_db), **MARTS}, "out_package")
    with duckdb.connect(str(fivetran_db)) as connection:
        for (view,) in connection.execute(
            "select table_name from information_schema.tables where table_schema = 'staging'"
        ).fetchall():
            connection.execute(f"drop view staging.{view}")
    load_scenario(fivetran_db, MISSING_REQUIRED)
    args = ["run", *session.common, "--threads", "2", "--select", *SELECT]
    args += ["--vars", json.dumps(session.parse_vars)]
    failed = session.runner.invoke(args)
    return {"missing_required": failed}


def mart_rows(path: Path, scenario: str, mart: str = "stripe_history") -> list[dict]:
    """The mart of a scenario, `subscription` struct flattened, ordered by id."""
    with duckdb.connect(str(path)) as connection:
        relation = connection.sql(
            f"select id, valid_from, valid_to, unnest(subscription) "
            f"from out_{scenario}.{mart} order by id"
        )
        return [dict(zip(relation.columns, row, strict=True)) for row in relation.fetchall()]


def by_subscription(rows: list[dict]) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for row in rows:
        found.setdefault(row["provider_subscription_id"], []).append(row)
    return found


def test_full_fivetran_schema_builds_with_the_expected_values(
    built: dict, fivetran_db: Path
) -> None:
    rows = by_subscription(mart_rows(fivetran_db, "full"))
    assert sorted(rows) == ["sub_a", "sub_b"]
    sub_a, sub_b = rows["sub_a"], rows["sub_b"]
    assert len(sub_a) == 2 and len(sub_b) == 3
    assert {row["mozilla_account_id"] for row in sub_a} == {ACCOUNT_A}
    assert {row["mozilla_account_id"] for row in sub_b} == {ACCOUNT_B}
    assert [row["country_code"] for row in sub_a] == ["US", "US"]
    assert [row["payment_method"] for row in sub_a] == ["Apple Pay", "Apple Pay"]
    assert [row["payment_provider"] for row in sub_b] == ["PayPal"] * 3
    assert [row["has_refunds"] for row in sub_a] == [False, True]
    assert {row["ongoing_discount_promotion_code"] for row in sub_a} == {"WELCOME10"}
    assert str(sub_a[1]["current_period_ends_at"]) == "2025-03-10 10:00:00"
    assert [row["auto_renew"] for row in sub_b] == [True, False, False]
    assert [row["ended_reason"] for row in sub_b] == [None, None, "Customer Initiated"]
    assert {row["product_name"] for row in sub_b} == {"Relay Premium"}
    assert {row["plan_currency"] for row in sub_b} == {"EUR"}
    assert [row["id"] for row in mart_rows(fivetran_db, "full", "logical_history")] == [
        row["id"] for row in mart_rows(fivetran_db, "full")
    ]


def changed_fields(expected: list[dict], actual: list[dict]) -> set[str]:
    assert len(expected) == len(actual)
    return {
        field
        for before, after in zip(expected, actual, strict=True)
        for field in before
        if before[field] != after[field]
    }


@pytest.mark.parametrize("scenario", ["no_optional_columns", "no_optional_tables"])
def test_absent_optional_inputs_lose_only_what_the_contract_says(
    built: dict, fivetran_db: Path, scenario: str
) -> None:
    full = mart_rows(fivetran_db, "full")
    dropped = mart_rows(fivetran_db, scenario)
    assert [row["id"] for row in dropped] == [row["id"] for row in full]
    changed = changed_fields(full, dropped)
    assert not changed & set(KEPT_FIELDS), f"{scenario} changed kept fields"
    assert changed <= MAY_LOSE, f"{scenario} changed {sorted(changed - MAY_LOSE)}"
    # the losses are real (filled with NULL / defaults), not left as the full values
    rows = by_subscription(dropped)
    assert {row["has_refunds"] for row in dropped} == {False}
    assert {row["ongoing_discount_promotion_code"] for row in dropped} == {None}
    if scenario == "no_optional_columns":
        assert {row["country_code"] for row in dropped} == {None}
        assert {row["payment_provider"] for row in rows["sub_b"]} == {"Stripe"}
        assert {row["product_name"] for row in dropped} == {None}
        assert {row["ended_at"] for row in dropped} == {None}
    else:
        # addresses are on customer (required table): the country survives without cards
        assert [row["country_code"] for row in rows["sub_a"]] == ["US", "US"]
        assert {row["payment_provider"] for row in rows["sub_b"]} == {"PayPal"}
    logical = mart_rows(fivetran_db, scenario, "logical_history")
    assert [row["id"] for row in logical] == [row["id"] for row in dropped]


def test_absent_optional_columns_leave_every_other_staging_column_unchanged(
    built: dict, fivetran_db: Path
) -> None:
    """Staging view by view: a column either equals the full run or is wholly NULL/false."""
    with duckdb.connect(str(fivetran_db)) as connection:
        views = [
            name
            for (name,) in connection.execute(
                "select table_name from information_schema.tables "
                "where table_schema = 'out_full' and table_name like 'stg_stripe__%'"
            ).fetchall()
        ]
        assert len(views) == 15
        lost: dict[str, list[str]] = {}
        for view in views:
            columns = [row[0] for row in connection.execute(f"describe out_full.{view}").fetchall()]
            for column in columns:
                # rows paired by the view's first two columns (its key, from required inputs)
                key = ", ".join(columns[:2])
                numbered = "select *, row_number() over (order by {key}) as row_number_ from {t}"
                differing = connection.execute(
                    f"select count(*) from "
                    f"({numbered.format(key=key, t=f'out_full.{view}')}) full_run "
                    f"full join "
                    f"({numbered.format(key=key, t=f'out_no_optional_columns.{view}')}) dropped "
                    f"on full_run.row_number_ = dropped.row_number_ "
                    f"where full_run.{column} is distinct from dropped.{column} "
                    f"or full_run.{columns[0]} is distinct from dropped.{columns[0]}"
                ).fetchone()[0]
                if not differing:
                    continue
                kept = connection.execute(
                    f"select count(*) from out_no_optional_columns.{view} "
                    f"where {column} is not null and cast({column} as varchar) != 'false'"
                ).fetchone()[0]
                assert kept == 0, f"{view}.{column} changed without being lost"
                lost.setdefault(view, []).append(column)
    # the only staging columns from required raw columns (keys, links) are never lost
    for view, columns in lost.items():
        assert not {"subscription_id", "customer_id", "plan_id"} & set(columns) or (
            view
            in {
                "stg_stripe__invoices",
                "stg_stripe__invoice_line_items",
                "stg_stripe__discounts",
                "stg_stripe__payment_methods",
                "stg_stripe__charges",
            }
        ), f"{view} lost {columns}"
    assert "country_code" in lost["stg_stripe__cards"]
    assert "is_paypal" in lost["stg_stripe__subscriptions_history"]


def test_history_mode_off_reads_one_open_version_and_item_periods(
    built: dict, fivetran_db: Path
) -> None:
    rows = by_subscription(mart_rows(fivetran_db, "history_mode_off"))
    # sub_b's only (current) row is canceled: with no history it never was active, so it is
    # not a logical subscription (the contract's if_missing for _fivetran_start says so)
    assert sorted(rows) == ["sub_a"]
    (version,) = rows["sub_a"]
    assert str(version["valid_from"]) == SYNCED
    assert str(version["valid_to"]).startswith("9999-12-31")
    assert str(version["started_at"]) == SYNCED
    assert version["is_active"] is True
    # issue 18: the period lives on subscription_item only here
    assert str(version["current_period_started_at"]) == "2025-02-10 10:00:00"
    assert str(version["current_period_ends_at"]) == "2025-03-10 10:00:00"
    assert version["mozilla_account_id"] == ACCOUNT_A


def test_missing_required_inputs_stop_the_run_with_one_message(
    built: dict, fivetran_db: Path
) -> None:
    result = built["missing_required"]
    assert not result.success
    message = str(result.exception or result.result)
    assert "Input contract: 5 required column(s) or table(s) missing" in message
    for expected in [
        "subscription_history.status (STRING)",
        "subscription_history._fivetran_start (TIMESTAMP), or its stand-in _fivetran_synced",
        "History Mode",
        "customer.metadata (STRING)",
        "plan.currency (STRING)",
        "table subscription_item not found at",
        "stripe_database / stripe_schema",
        f".{STRIPE_SCHEMA}; if they live elsewhere",
    ]:
        assert expected in message, f"{expected!r} not in:\n{message}"
    assert "Binder Error" not in message
    with duckdb.connect(str(fivetran_db)) as connection:
        created = connection.execute(
            "select count(*) from information_schema.tables where table_schema = 'staging'"
        ).fetchone()[0]
    assert created == 0, "models ran although the contract check failed"


def test_fivetran_package_integration_schema_builds(built: dict, fivetran_db: Path) -> None:
    """The column sets of fivetran/dbt_stripe's integration-test tables build (issue 13, Done
    when): no binder error, every Stripe staging view and both marts exist."""
    assert "promotion_code" not in FIVETRAN_PACKAGE_COLUMNS
    assert "_fivetran_start" not in FIVETRAN_PACKAGE_COLUMNS["subscription_history"]
    with duckdb.connect(str(fivetran_db)) as connection:
        built_tables = {
            name
            for (name,) in connection.execute(
                "select table_name from information_schema.tables "
                "where table_schema = 'out_package'"
            ).fetchall()
        }
    assert len([name for name in built_tables if name.startswith("stg_stripe__")]) == 15
    assert set(MARTS) <= built_tables
