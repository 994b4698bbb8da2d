"""Bad Stripe input never vanishes silently (issue 2, docs/subscriptions.md section 1 "Bad input").

Over the built demo warehouse (read only): each bad-input case of the spec is found in the raw
Fivetran tables by SQL written here, independently of the models, and must appear in
`subscription_platform_derived.stripe_input_quarantine_v1` with its rule, the same count and
the same records; and every raw subscription_history / subscription_item row is either kept by
the history chain or counted in the quarantine as excluded (the counts balance).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

LOG = logging.getLogger(__name__)

QUARANTINE = "subscription_platform_derived.stripe_input_quarantine_v1"
KNOWN_STATUSES = (
    "'incomplete', 'incomplete_expired', 'trialing', 'active', 'past_due', 'canceled', "
    "'unpaid', 'paused'"
)
# rule -> (source table, SQL giving the subscription ids of the raw rows breaking it, one row
# per offending raw row). Duplicates: every copy after the first of one (id, _fivetran_start).
RAW_CASES = {
    "duplicate_version": (
        "subscription_history",
        """
        select id from (
            select id, row_number() over (partition by id, _fivetran_start) as copy_number
            from stripe.subscription_history
        ) where copy_number > 1
        """,
    ),
    "end_before_start": (
        "subscription_history",
        "select id from stripe.subscription_history where _fivetran_end < _fivetran_start",
    ),
    "zero_length_version": (
        "subscription_history",
        "select id from stripe.subscription_history where _fivetran_end = _fivetran_start",
    ),
    "unknown_status": (
        "subscription_history",
        f"select id from stripe.subscription_history where status not in ({KNOWN_STATUSES})",
    ),
    "missing_customer": (
        "subscription_history",
        """
        select id from stripe.subscription_history
        where customer_id not in (select id from stripe.customer)
        """,
    ),
    "unparsable_metadata": (
        "subscription_history",
        "select id from stripe.subscription_history where not json_valid(metadata)",
    ),
    "missing_plan": (
        "subscription_item",
        """
        select subscription_id from stripe.subscription_item
        where plan_id not in (select id from stripe.plan)
        """,
    ),
    "missing_product": (
        "subscription_item",
        """
        select subscription_item.subscription_id
        from stripe.subscription_item
        inner join stripe.plan on subscription_item.plan_id = plan.id
        where plan.product_id not in (select id from stripe.product)
        """,
    ),
}


@pytest.fixture(scope="module")
def warehouse(built_warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect(str(built_warehouse), read_only=True)
    yield connection
    connection.close()


def _ids(connection: duckdb.DuckDBPyConnection, sql: str) -> list[str]:
    return sorted(row[0] for row in connection.sql(sql).fetchall())


@pytest.mark.parametrize("rule", sorted(RAW_CASES))
def test_each_bad_input_case_is_quarantined_with_its_rule_and_count(
    warehouse: duckdb.DuckDBPyConnection, rule: str
) -> None:
    source_table, raw_sql = RAW_CASES[rule]
    raw = _ids(warehouse, raw_sql)
    assert raw, f"the demo data has no raw row breaking {rule}: the test would prove nothing"
    quarantined = _ids(
        warehouse,
        f"select subscription_id from {QUARANTINE} "
        f"where rule = '{rule}' and source_table = '{source_table}'",
    )
    assert quarantined == raw, (
        f"{rule}: raw {source_table} rows breaking it (subscription ids) {raw}, "
        f"quarantined {quarantined}"
    )
    reasons = warehouse.sql(
        f"select count(*) from {QUARANTINE} where rule = '{rule}' "
        "and (detail is null or detail = '' or outcome is null or record_key is null)"
    ).fetchall()[0][0]
    assert reasons == 0, f"{rule}: quarantine rows without record key, outcome or detail"


def test_quarantine_holds_no_rule_without_a_raw_case(warehouse: duckdb.DuckDBPyConnection) -> None:
    rules = set(_ids(warehouse, f"select distinct rule from {QUARANTINE}"))
    assert rules <= set(RAW_CASES), f"rules not checked against raw data: {rules - set(RAW_CASES)}"


@pytest.mark.parametrize(
    ("source_table", "kept_sql"),
    [
        (
            "subscription_history",
            "select count(*) from intermediate.int_stripe_subscriptions_history",
        ),
        (
            "subscription_item",
            "select count(*) from intermediate.int_stripe_subscription_items_checked "
            "where rejection_rule is null",
        ),
    ],
)
def test_every_raw_row_is_kept_or_counted_as_excluded(
    warehouse: duckdb.DuckDBPyConnection, source_table: str, kept_sql: str
) -> None:
    def count(sql: str) -> int:
        return warehouse.sql(sql).fetchall()[0][0]

    raw = count(f"select count(*) from stripe.{source_table}")
    kept = count(kept_sql)
    excluded = count(
        f"select count(*) from {QUARANTINE} "
        f"where source_table = '{source_table}' and outcome = 'excluded'"
    )
    LOG.info("%s: %d raw = %d kept + %d excluded", source_table, raw, kept, excluded)
    assert excluded > 0
    assert raw == kept + excluded, (
        f"stripe.{source_table}: {raw} raw rows but {kept} kept + {excluded} quarantined as "
        f"excluded: {raw - kept - excluded} rows vanished without a count"
    )
