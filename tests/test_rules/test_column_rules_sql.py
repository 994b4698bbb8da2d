"""The folded generic test column_rules fails on each rule it checks, and only then.

The SQL is the one dbt compiled for the column_rules test of the vat_rates seed
(target/manifest.json of `make build` / `make test`): not_null, a key combination, a
relationship to country_codes and valid history intervals per country. It runs in an in-memory
DuckDB on the two reference seeds' CSVs, first clean (no failing row), then with planted rows,
each breaking known rules a known number of times.
"""

from __future__ import annotations

import json

import duckdb
import pytest

from fxa_metrics_tools.testing import PROJECT_DIR

SEEDS = PROJECT_DIR / "seeds" / "reference"


@pytest.fixture(scope="module")
def vat_rates_rules() -> tuple[str, str, str]:
    """(compiled SQL, vat_rates relation, country_codes relation) of the manifest."""
    path = PROJECT_DIR / "target" / "manifest.json"
    if not path.exists():
        pytest.fail(f"no {path}: run `make build` first")
    nodes = json.loads(path.read_text())["nodes"]
    tests = [
        node
        for node in nodes.values()
        if node["resource_type"] == "test"
        and node.get("attached_node") == "seed.fxa_metrics.vat_rates"
        and (node.get("test_metadata") or {}).get("name") == "column_rules"
    ]
    assert len(tests) == 1, "vat_rates should have exactly one column_rules test"
    # compiled_code is only in the manifest of the dbt command that ran the test; the file stays
    compiled = (
        PROJECT_DIR / "target" / "compiled" / "fxa_metrics"
        / tests[0]["original_file_path"] / tests[0]["path"]
    )  # fmt: skip
    sql = tests[0].get("compiled_code") or (compiled.read_text() if compiled.exists() else "")
    if not sql:
        pytest.fail(f"no compiled SQL for the test ({compiled}): run `make build` first")
    return (
        sql,
        nodes["seed.fxa_metrics.vat_rates"]["relation_name"],
        nodes["seed.fxa_metrics.country_codes"]["relation_name"],
    )


def failures(rules: tuple[str, str, str], planted: list[tuple]) -> dict[tuple[str, str], int]:
    """{(rule_name, rule_subject): failing_rows} of the test over the seeds plus planted rows."""
    sql, vat_relation, country_relation = rules
    con = duckdb.connect()
    con.execute(
        "create table vat_rates as select * from read_csv(?, header = true, "
        "columns = {'country_code': 'varchar', 'vat_rate': 'decimal(6, 4)', "
        "'valid_from': 'date', 'valid_to': 'date'})",
        [str(SEEDS / "vat_rates.csv")],
    )
    con.execute(
        "create table country_codes as "
        "select * from read_csv(?, header = true, all_varchar = true)",
        [str(SEEDS / "country_codes.csv")],
    )
    for row in planted:
        con.execute("insert into vat_rates values (?, ?, ?, ?)", list(row))
    rows = con.execute(
        sql.replace(vat_relation, "vat_rates").replace(country_relation, "country_codes")
    ).fetchall()
    return {(rule, subject): count for subject, rule, count in rows}


def test_clean_seeds_pass(vat_rates_rules: tuple[str, str, str]) -> None:
    assert failures(vat_rates_rules, []) == {}


def test_each_broken_rule_is_named_with_its_count(vat_rates_rules: tuple[str, str, str]) -> None:
    con = duckdb.connect()
    unused = con.execute(
        "select code from read_csv(?, header = true, all_varchar = true) where code not in "
        "(select country_code from read_csv(?, header = true, all_varchar = true)) "
        "order by code limit 1",
        [str(SEEDS / "country_codes.csv"), str(SEEDS / "vat_rates.csv")],
    ).fetchone()[0]
    planted = [
        # no such country: the relationship to country_codes breaks
        ("ZZ", 0.1, "2021-01-01", "9999-12-31"),
        # a second AT row with AT's valid_from: the key repeats and the intervals overlap
        ("AT", 0.2, "2021-01-01", "9999-12-31"),
        # a country without VAT rows: rate missing, interval backwards
        (unused, None, "2022-01-01", "2021-01-01"),
    ]
    assert failures(vat_rates_rules, planted) == {
        ("not_null", "vat_rate"): 1,
        ("unique_combination", "country_code, valid_from"): 1,
        ("relationships", "country_code -> country_codes.code"): 1,
        ("valid_history_intervals", "country_code [valid_from, valid_to)"): 2,
    }
