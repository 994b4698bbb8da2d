"""The SubPlat demo data generator: determinism, contract columns, keys, scenarios, seed loading."""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import yaml

from fxa_metrics_tools import demo_common, demo_stores, demo_stripe, generate

PROJECT_DIR = Path(__file__).resolve().parents[2]
SEEDS = PROJECT_DIR / "seeds"
# in-repo copy of ../shared/spec/subscriptions.md (CI clones the repo alone)
SPEC = PROJECT_DIR / "tests" / "reference" / "spec" / "subscriptions.md"
MODULES = [
    "fxa_metrics_tools.demo_common",
    "fxa_metrics_tools.demo_stripe",
    "fxa_metrics_tools.demo_stores",
]
SEED_FOLDERS = ["demo/stripe", "demo/apple", "demo/google", "reference"]
KNOWN_STATUSES = {
    "incomplete", "incomplete_expired", "trialing", "active", "past_due", "canceled", "unpaid",
    "paused",
}  # fmt: skip


def _generate(scale: int, seed: int) -> dict[str, list[dict]]:
    """All SubPlat demo tables as written (None -> '' like the CSV writer)."""
    out = {}
    for module in (demo_common, demo_stripe, demo_stores):
        for key, rows in module.generate(scale=scale, seed=seed).items():
            out[key] = [{k: "" if v is None else str(v) for k, v in row.items()} for row in rows]
    return out


# the committed demo, and a larger one with another seed (other random paths)
@pytest.fixture(scope="module", params=[(1, 42), (4, 7)], ids=["demo", "scale4-seed7"])
def tables(request: pytest.FixtureRequest) -> dict[str, list[dict]]:
    return _generate(*request.param)


def _write_all(out: Path) -> None:
    args = ["--scale", "1", "--seed", "42", "--out", str(out / "demo")]
    args += ["--reference-out", str(out / "reference")]
    for module in MODULES:
        args += ["--only", module]
    generate.main(args)


def _files(root: Path) -> dict[str, bytes]:
    return {str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*.csv"))}


def test_two_runs_write_identical_files_equal_to_the_committed_seeds(tmp_path: Path) -> None:
    _write_all(tmp_path / "one")
    _write_all(tmp_path / "two")
    first, second = _files(tmp_path / "one"), _files(tmp_path / "two")
    assert first and first == second
    stale = [name for name, content in first.items() if (SEEDS / name).read_bytes() != content]
    assert not stale, f"committed seeds differ from the generator, run `make demo-data`: {stale}"


def test_scale_multiplies_ordinary_subscriptions_only() -> None:
    def subscriptions(scale: int) -> set[str]:
        rows = demo_stripe.generate(scale=scale, seed=42)["stripe/subscription_history"]
        return {row["id"] for row in rows}

    one, two = subscriptions(1), subscriptions(2)
    named = {sub for sub in one if sub.startswith(("sub_s", "sub_bad_"))}
    assert named and named <= two
    first_subs = {sub for sub in one - named if not sub.endswith("_2")}
    second_subs = {sub for sub in two - named if not sub.endswith("_2")}
    assert len(first_subs) == demo_stripe.ORDINARY_PER_SCALE
    assert len(second_subs) == 2 * demo_stripe.ORDINARY_PER_SCALE
    stores = demo_stores.generate(scale=2, seed=42)["apple/apple_subscriptions_history"]
    ordinary = {row["original_transaction_id"] for row in stores} - {"s14"}
    assert len([sub for sub in ordinary if not sub.startswith("s14_")]) == 100


def test_other_seed_gives_other_ordinary_data() -> None:
    one = demo_stripe.generate(scale=1, seed=42)["stripe/customer"]
    other = demo_stripe.generate(scale=1, seed=7)["stripe/customer"]
    assert one != other


def _contract_from_spec(spec: str) -> dict[str, list[str]]:
    """Columns per table from the spec's input contract (backticked names outside brackets)."""
    contract = {}
    for line in spec.splitlines():
        match = re.match(r"\| `(\w+)` \| [^|]+ \| (.+) \|$", line)
        if match:
            cell = re.sub(r"\([^)]*\)", "", match.group(2))
            contract[f"stripe/{match.group(1)}"] = re.findall(r"`(\w+)`", cell)
    for store, stem in (("apple", "original_transaction_id"), ("google", "purchase_token")):
        text = spec.split(f"- `{store}.subscriptions_history`:")[1]
        text = re.split(r"\n- `|\nActive:", text)[0]
        columns = re.findall(r"`(\w+)`", re.sub(r"\([^)]*\)", "", text))
        assert columns[0] == stem
        contract[f"{store}/{store}_subscriptions_history"] = columns
    return contract


def test_every_table_has_exactly_the_contract_columns(tables) -> None:
    contract = _contract_from_spec(SPEC.read_text())
    assert len(contract) == 17
    for key, columns in contract.items():
        rows = tables[key]
        assert rows, f"{key}: no rows"
        assert all(list(row) == columns for row in rows), f"{key}: columns differ from the spec"
        header = (SEEDS / "demo" / f"{key}.csv").read_text().splitlines()[0].split(",")
        assert header == columns, f"{key}: CSV header differs from the spec"


def test_keys_are_unique_except_the_intentional_duplicate(tables) -> None:
    """The demo tables' keys (demo_common.DEMO_TABLE_KEYS; the demo seeds have no dbt key test)."""
    assert {"stripe/customer", "stripe/subscription_history"} <= set(tables)
    for key, rows in tables.items():
        columns = demo_common.demo_table_key(key)
        counts = Counter(tuple(row[c] for c in columns) for row in rows)
        duplicates = sorted(k for k, n in counts.items() if n > 1)
        expected = demo_common.INTENTIONAL_DUPLICATE_KEYS.get(key, [])
        assert duplicates == expected, f"{key}: duplicate keys {duplicates[:5]}"


# logical-history column names the doc mentions in backticks (not ids)
OUTPUT_COLUMNS = {"plan_amount", "plan_currency", "plan_summary"}


def _scenario_ids() -> set[str]:
    text = (SEEDS / "demo" / "SCENARIOS.md").read_text()
    prefixes = ("sub_", "cus_", "si_", "in_", "ch_", "s14_", "plan_", "coupon_", "promo_", "prod_")
    return {
        token
        for token in re.findall(r"`([A-Za-z0-9_.]+)`", text)
        if token.startswith(prefixes)
        and token not in OUTPUT_COLUMNS
        and "NN" not in token
        and not token.endswith(("_", "."))
    }


def test_every_scenario_id_of_the_doc_is_in_the_data(tables) -> None:
    ids = _scenario_ids()
    assert len(ids) > 50
    values = {value for rows in tables.values() for row in rows for value in row.values()}
    missing = sorted(ids - values)
    assert not missing, f"ids in SCENARIOS.md but not in the demo data: {missing}"
    numbers = set(re.findall(r"^\| (\d+)[ab-e]? \|", (SEEDS / "demo" / "SCENARIOS.md").read_text(),
                             re.MULTILINE))  # fmt: skip
    assert numbers == {str(n) for n in range(1, 16)}


def _history(tables, sub_id: str) -> list[dict]:
    return [row for row in tables["stripe/subscription_history"] if row["id"] == sub_id]


def test_bad_input_is_isolated_and_the_rest_consistent(tables) -> None:
    history = tables["stripe/subscription_history"]
    customers = {row["id"] for row in tables["stripe/customer"]}
    plans = {row["id"]: row for row in tables["stripe/plan"]}
    products = {row["id"] for row in tables["stripe/product"]}
    subscriptions = {row["id"] for row in history}
    invoices = {row["id"] for row in tables["stripe/invoice"]}

    assert {r["id"] for r in history if r["customer_id"] not in customers} == {
        "sub_bad_missing_customer"
    }
    items = tables["stripe/subscription_item"]
    assert {r["id"] for r in items if r["plan_id"] not in plans} == {"si_bad_missing_plan_1"}
    assert {p for p, r in plans.items() if r["product_id"] not in products} == {
        "plan_bad_missing_product"
    }
    assert {r["id"] for r in history if r["status"] not in KNOWN_STATUSES} == {
        "sub_bad_unknown_status"
    }
    unparsable = set()
    for row in history:
        try:
            json.loads(row["metadata"])
        except json.JSONDecodeError:
            unparsable.add(row["id"])
    assert unparsable == {"sub_bad_unparsable_metadata"}
    backwards = {r["id"] for r in history if r["_fivetran_end"] < r["_fivetran_start"]}
    assert backwards == {"sub_bad_end_before_start"}
    zero = {r["id"] for r in history if r["_fivetran_end"] == r["_fivetran_start"]}
    assert zero == {"sub_bad_zero_length_version"}
    for table in ("invoice", "invoice_line_item"):
        assert all(row["subscription_id"] in subscriptions for row in tables[f"stripe/{table}"])
    assert all(row["invoice_id"] in invoices for row in tables["stripe/charge"])
    assert all(r["latest_invoice_id"] in invoices for r in history)
    for row in tables["stripe/customer"]:
        metadata = json.loads(row["metadata"])
        assert re.fullmatch(r"[0-9a-f]{32}", metadata["userid"])
        assert metadata["userid_sha256"] == demo_common.sha256_hex(metadata["userid"])


def test_versions_are_contiguous_and_end_before_the_as_of_date(tables) -> None:
    by_sub: dict[str, list[dict]] = {}
    for row in tables["stripe/subscription_history"]:
        by_sub.setdefault(row["id"], []).append(row)
    as_of = demo_common.ts(demo_common.AS_OF)
    for sub_id, versions in by_sub.items():
        if sub_id in ("sub_bad_duplicate_version", "sub_bad_end_before_start"):
            continue
        for current, following in zip(versions, versions[1:], strict=False):
            expected = datetime.fromisoformat(following["_fivetran_start"]) - timedelta(seconds=1)
            assert current["_fivetran_end"] == demo_common.ts(expected), sub_id
            assert current["_fivetran_active"] == "false", sub_id
        assert versions[-1]["_fivetran_end"] == demo_common.FAR_FUTURE, sub_id
        assert versions[-1]["_fivetran_active"] == "true", sub_id
        assert all(v["_fivetran_start"] < as_of for v in versions), sub_id
    for key, id_column in (
        ("apple/apple_subscriptions_history", "original_transaction_id"),
        ("google/google_subscriptions_history", "purchase_token"),
    ):
        rows: dict[str, list[dict]] = {}
        for row in tables[key]:
            rows.setdefault(row[id_column], []).append(row)
        for sub_id, versions in rows.items():
            for current, following in zip(versions, versions[1:], strict=False):
                assert current["valid_to"] == following["valid_from"], sub_id
            assert versions[-1]["valid_to"] == demo_common.FAR_FUTURE, sub_id


def test_scenario_timelines_match_the_doc(tables) -> None:
    def statuses(sub_id: str) -> list[tuple[str, str]]:
        return [(r["_fivetran_start"], r["status"]) for r in _history(tables, sub_id)]

    s01 = statuses("sub_s01_payment_failure")
    assert s01[:2] == [("2024-03-05 10:00:00", "incomplete"), ("2024-03-05 10:20:00", "active")]
    assert s01[-2:] == [("2024-06-05 10:00:00", "past_due"), ("2024-06-19 10:00:00", "canceled")]
    s15 = statuses("sub_s15_out_of_order_incomplete")
    assert s15[2] == ("2024-07-20 10:06:00", "incomplete") and s15[3][1] == "active"
    s07 = _history(tables, "sub_s07_cancel_at_period_end")
    cancel = next(r for r in s07 if r["cancel_at_period_end"] == "true")
    assert cancel["_fivetran_start"] == cancel["canceled_at"] == "2025-02-10 18:45:00"
    assert s07[-1]["ended_at"] == "2025-03-03 14:00:00"
    assert s07[-1]["cancellation_details_reason"] == "cancellation_requested"
    s08 = _history(tables, "sub_s08_admin_delete")[-1]
    assert json.loads(s08["metadata"]) == {
        "cancellation_reason": "fxa_admin_requested_account_delete"
    }
    s06 = json.loads(_history(tables, "sub_s06_multi_currency")[0]["metadata"])
    assert s06 == {"currency": "eur", "amount": "899"}
    s05 = _history(tables, "sub_s05_paypal")
    assert {r["collection_method"] for r in s05} == {"send_invoice"}
    assert statuses("sub_s10_ended_first_of_month")[-1] == ("2025-03-01 00:00:00", "canceled")
    items = {r["id"]: r for r in tables["stripe/subscription_item"]}
    assert items["si_s03_plan_change_interval_2"]["created"] == "2024-05-20 15:30:00"
    assert items["si_s12_two_items_vpn"]["created"] == items["si_s12_two_items_relay"]["created"]
    discounts = {r["id"]: r for r in tables["stripe/discount"]}
    assert discounts["di_sub_s13_repeating_coupon"]["end"] == "2026-01-20 10:00:00"
    assert discounts["di_sub_s13_forever_coupon"]["end"] == ""
    charges = {r["id"]: r for r in tables["stripe/charge"]}
    assert charges["ch_s09_fraud_01"]["fraud_details_stripe_report"] == "fraudulent"
    assert charges["ch_s09_marked_safe_01"]["fraud_details_user_report"] == "safe"
    refunds = {r["charge_id"]: r for r in tables["stripe/refund"]}
    assert refunds["ch_s09_refund_01"]["reason"] == "requested_by_customer"
    invoices = {r["id"]: r for r in tables["stripe/invoice"]}
    assert "paypalRefundTransactionId" in invoices["in_s09_paypal_refund_02"]["metadata"]
    apple = [
        r
        for r in tables["apple/apple_subscriptions_history"]
        if r["original_transaction_id"] == "s14_apple_billing_retry"
    ]
    assert [(r["valid_from"], r["status"]) for r in apple[-2:]] == [
        ("2025-06-01 09:00:00", "3"),
        ("2025-07-01 09:00:00", "2"),
    ]
    google = [
        r
        for r in tables["google/google_subscriptions_history"]
        if r["purchase_token"] == "s14_google_user_cancel"
    ]
    assert google[-1]["user_cancellation_time"] == "2024-11-20 13:00:00"
    assert google[-1]["cancel_reason"] == "0"


def _declared_seeds() -> dict[tuple[str, str], dict]:
    """(schema, relation) -> CSV file, column_types and described columns, from our seed YAML."""
    declared: dict[tuple[str, str], dict] = {}
    for folder in SEED_FOLDERS:
        for path in (SEEDS / folder).glob("_*.yml"):
            for seed in yaml.safe_load(path.read_text())["seeds"]:
                config = seed.get("config", {})
                schema = folder.split("/")[-1]
                declared[(schema, config.get("alias", seed["name"]))] = {
                    "file": SEEDS / folder / f"{seed['name']}.csv",
                    "types": config["column_types"],
                    "described": {c["name"] for c in seed["columns"] if c.get("description")},
                }
    return declared


@pytest.mark.slow
def test_dbt_seed_loads_every_seed_with_its_declared_types(tmp_path: Path) -> None:
    import duckdb

    from fxa_metrics_tools.testing import run_dbt

    declared = _declared_seeds()
    assert len(declared) == 22  # 15 Stripe, Apple, Google, 5 reference
    database = tmp_path / "data_seed_test.duckdb"
    select = [f"path:{info['file'].relative_to(PROJECT_DIR)}" for info in declared.values()]
    run_dbt(["seed", "--full-refresh", "--select", *select], database, tmp_path / "target")
    with duckdb.connect(str(database), read_only=True) as con:
        for (schema, table), info in declared.items():
            with info["file"].open() as handle:
                reader = csv.reader(handle)
                header = next(reader)
                line_count = sum(1 for _ in reader)
            # every column declared and described: none falls back to type inference, so an
            # all-empty column still loads with its declared type
            assert set(info["types"]) == set(header), f"{schema}.{table}: column_types"
            assert info["described"] == set(header), f"{schema}.{table}: descriptions"
            loaded = dict(
                con.execute(
                    "select column_name, data_type from information_schema.columns"
                    " where table_schema = ? and table_name = ?",
                    [schema, table],
                ).fetchall()
            )
            for column, declared_type in info["types"].items():
                expected = declared_type.upper().replace(", ", ",")
                assert loaded[column] == expected, f"{schema}.{table}.{column}: {loaded[column]}"
            rows = con.execute(f'select count(*) from "{schema}"."{table}"').fetchone()[0]
            assert rows == line_count, f"{schema}.{table}: {rows} rows loaded of {line_count}"
