"""The bad-input cases of issue 18 end in a named quarantine row, and the run's check names them.

On a temporary copy of the built demo warehouse (never the warehouse itself), one raw row per
case of the issue is planted in the raw tables of every input class: a negative plan amount, an
unknown plan currency, a null plan interval, a plan missing from the services seed, a Stripe
customer without userid, an `active` version with ended_at in the past, an orphan invoice and
charge, an Apple row without account id and with an unknown product, a Google row with an
unknown SKU, a log line dated 2030, a 2,000,000-character event_type and an accounts row without
uid. Staging and intermediate models are views, so rebuilding the quarantine tables and the
summary is enough to see them. Then:

1. each case is a row of its lineage's quarantine with its rule, and the summary counts it;
2. neither planted log line is admitted as an event, and no 2030 day appears;
3. the threshold check (dbt tests on input_quarantine_summary_v1) fails with the error-level
   rules and logs a message naming the rule, the table and a sample key; warn-level rules only
   warn;
4. a day run whose window holds none of the planted days passes the error check.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from fxa_metrics_tools.testing import DbtSession, duckdb_path_env

LOG = logging.getLogger(__name__)

# the summary and everything upstream of it: some intermediate models between the raw tables
# and the quarantines are tables, so the planted rows reach the quarantines only through a rebuild
QUARANTINE_MODELS = ["+input_quarantine_summary_v1"]
LONG_EVENT_TYPE = "fxa_login - " + "x" * 2_000_000
PLANTS = [
    # Stripe plans and items (the items hang on an existing subscription)
    """insert into stripe.plan (id, product_id, amount, currency, interval, interval_count, active)
       values ('plan_g_negative', 'prod_vpn', -999, 'usd', 'month', 1, true),
              ('plan_g_xyz', 'prod_vpn', 999, 'xyz', 'month', 1, true),
              ('plan_g_no_interval', 'prod_vpn', 999, 'usd', null, 1, true),
              ('plan_g_unmapped', 'prod_vpn', 999, 'usd', 'month', 1, true)""",
    """insert into stripe.subscription_item (id, subscription_id, plan_id, created, quantity)
       values ('si_g_negative', 'sub_s01_payment_failure', 'plan_g_negative',
               '2024-03-05 10:00:00', 1),
              ('si_g_xyz', 'sub_s01_payment_failure', 'plan_g_xyz', '2024-03-05 10:00:00', 1),
              ('si_g_no_interval', 'sub_s01_payment_failure', 'plan_g_no_interval',
               '2024-03-05 10:00:00', 1),
              ('si_g_unmapped', 'sub_s01_payment_failure', 'plan_g_unmapped',
               '2024-03-05 10:00:00', 1)""",
    # the customer of one subscription loses its userid
    """update stripe.customer set metadata = '{"note": "no userid"}'
       where id = (select min(customer_id) from stripe.subscription_history
                   where id = 'sub_s02_trial_converts')""",
    # one active version claims to have ended a day before it was written
    """update stripe.subscription_history
       set ended_at = _fivetran_start - interval 1 day
       where id = 'sub_s02_trial_converts' and status = 'active'
         and _fivetran_start = (select min(_fivetran_start) from stripe.subscription_history
                                where id = 'sub_s02_trial_converts' and status = 'active')""",
    """insert into stripe.invoice (id, customer_id, subscription_id, status, created)
       values ('in_g_orphan', 'cus_g_none', 'sub_g_gone', 'paid', '2024-03-06 10:00:00')""",
    """insert into stripe.charge (id, invoice_id, status, created, amount)
       values ('ch_g_orphan', 'in_g_gone', 'succeeded', '2024-03-07 10:00:00', 999)""",
    # Apple: one version loses its account id, one gets an unknown product
    """update apple.subscriptions_history set mozilla_account_id = null
       where (original_transaction_id, valid_from) =
             (select (original_transaction_id, valid_from) from apple.subscriptions_history
              order by original_transaction_id, valid_from limit 1)""",
    """update apple.subscriptions_history set product_id = 'org.mozilla.ios.g_unknown'
       where (original_transaction_id, valid_from) =
             (select (original_transaction_id, valid_from) from apple.subscriptions_history
              order by original_transaction_id desc, valid_from limit 1)""",
    """update google.subscriptions_history set sku = 'org.mozilla.g_unknown_sku'
       where (purchase_token, valid_from) =
             (select (purchase_token, valid_from) from google.subscriptions_history
              order by purchase_token, valid_from limit 1)""",
    # FxA logs: copies of an admitted event, one dated 2030, one with a huge event_type
    """insert into fxa_logs.raw_fxa_log_stdout
       select * replace ('g_future' as insertId, timestamp '2030-01-01 00:00:00' as timestamp)
       from fxa_logs.raw_fxa_log_stdout
       where jsonPayload__type = 'amplitudeEvent' and timestamp >= '2024-04-20'
       order by insertId limit 1""",
    f"""insert into fxa_logs.raw_fxa_log_stdout
       select * replace (
           'g_long' as insertId, '{LONG_EVENT_TYPE}' as jsonPayload__fields__event_type
       )
       from fxa_logs.raw_fxa_log_stdout
       where jsonPayload__type = 'amplitudeEvent' and timestamp >= '2024-04-20'
       order by insertId limit 1""",
    # accounts DB: a snapshot row without uid
    """insert into accounts_db.raw_fxa_accounts
       select * replace (null as uid) from accounts_db.raw_fxa_accounts limit 1""",
]
# rule -> (lineage quarantine, where clause naming the planted row)
EXPECTED = {
    "negative_plan_amount": (
        "subscription_platform_derived.stripe_input_quarantine_v1",
        "record_key = 'si_g_negative'",
    ),
    "unknown_plan_currency": (
        "subscription_platform_derived.stripe_input_quarantine_v1",
        "record_key = 'si_g_xyz'",
    ),
    "unknown_plan_interval": (
        "subscription_platform_derived.stripe_input_quarantine_v1",
        "record_key = 'si_g_no_interval'",
    ),
    "unmapped_plan": (
        "subscription_platform_derived.stripe_input_quarantine_v1",
        "record_key = 'si_g_unmapped'",
    ),
    "active_status_ended": (
        "subscription_platform_derived.stripe_input_quarantine_v1",
        "subscription_id = 'sub_s02_trial_converts'",
    ),
    "orphan_invoice": (
        "subscription_platform_derived.stripe_input_quarantine_v1",
        "record_key = 'in_g_orphan'",
    ),
    "orphan_charge": (
        "subscription_platform_derived.stripe_input_quarantine_v1",
        "record_key = 'ch_g_orphan'",
    ),
    "missing_account_id": (
        "subscription_platform_derived.stripe_input_quarantine_v1",
        "source_table = 'customer'",
    ),
    "unmapped_product": (
        "subscription_platform_derived.apple_input_quarantine_v1",
        "detail like '%org.mozilla.ios.g_unknown%'",
    ),
    "unmapped_sku": (
        "subscription_platform_derived.google_input_quarantine_v1",
        "detail like '%org.mozilla.g_unknown_sku%'",
    ),
    "future_timestamp": (
        "firefox_accounts_derived.fxa_log_quarantine_v1",
        "_insert_id = 'g_future'",
    ),
    "event_type_too_long": (
        "firefox_accounts_derived.fxa_log_quarantine_v1",
        "_insert_id = 'g_long' and length(event_type) = 200",
    ),
    "missing_uid": (
        "input_validation.accounts_db_input_quarantine_v1",
        "record_key like 'null uid @ %'",
    ),
}
ERROR_RULES = {
    "negative_plan_amount",
    "unknown_plan_currency",
    "unknown_plan_interval",
    "active_status_ended",
    "future_timestamp",
    "unmapped_plan",
    "unmapped_product",
    "unmapped_sku",
}


@pytest.fixture(scope="module")
def planted(built_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A warehouse copy with the planted rows and rebuilt quarantines; yields the dbt session."""
    workdir = tmp_path_factory.mktemp("input_quarantine")
    path = workdir / "planted.duckdb"
    shutil.copyfile(built_warehouse, path)
    with duckdb.connect(str(path)) as connection:
        for statement in PLANTS:
            connection.execute(statement)
    with duckdb_path_env(path):
        session = DbtSession(workdir / "target", run_flags=["--no-write-json"])
        session.run(QUARANTINE_MODELS, {})
        yield session, path


def dbt_test(session: DbtSession, dbt_vars: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """Run the summary's tests; returns status per test name and the logged messages."""
    import json

    from dbt.cli.main import dbtRunner

    messages: list[str] = []

    def collect(event: Any) -> None:
        text = getattr(event.info, "msg", "")
        if text.startswith("input quarantine "):
            messages.append(text)

    runner = dbtRunner(manifest=session.manifest, callbacks=[collect])
    result = runner.invoke(
        [
            "test",
            *session.common,
            "--select",
            "input_quarantine_summary_v1,test_type:data",
            "--vars",
            json.dumps(dbt_vars),
        ]
    )
    statuses = {item.node.name: str(item.status) for item in result.result}
    return statuses, messages


def rows(path: Path, sql: str) -> list[tuple[Any, ...]]:
    # same configuration as the in-process dbt's open connection (DuckDB allows one per file)
    with duckdb.connect(str(path)) as connection:
        return connection.execute(sql).fetchall()


@pytest.mark.parametrize("rule", sorted(EXPECTED))
def test_each_case_is_a_named_quarantine_row_counted_in_the_summary(
    planted: Any, rule: str
) -> None:
    _, path = planted
    relation, where = EXPECTED[rule]
    column = "quarantine_reason" if "fxa_log" in relation else "rule"
    found = rows(path, f"select count(*) from {relation} where {column} = '{rule}' and {where}")
    assert found == [(1,)], f"{rule}: expected the planted row once in {relation}, got {found}"
    summary = rows(
        path,
        "select sum(row_count) from input_validation.input_quarantine_summary_v1 "
        f"where rule = '{rule}'",
    )
    assert summary[0][0] and summary[0][0] >= 1, f"{rule}: not counted in the summary"


def test_planted_log_lines_never_become_events_or_days(planted: Any) -> None:
    _, path = planted
    admitted = rows(
        path,
        "select count(*) from intermediate.int_fxa_log_lines_classified "
        "where insert_id in ('g_future', 'g_long') and exclusion_reason is null",
    )
    assert admitted == [(0,)]
    last_day = rows(path, "select max(line_date) from intermediate.int_fxa_log_lines_classified")
    assert last_day[0][0].year < 2030, f"a future line created the day {last_day[0][0]}"


def test_threshold_check_fails_naming_rule_table_and_sample_key(planted: Any) -> None:
    session, _ = planted
    statuses, messages = dbt_test(session, {})
    assert statuses["input_quarantine_within_error_thresholds"] == "fail", statuses
    assert statuses["input_quarantine_within_warn_thresholds"] == "warn", statuses
    expected = (
        "input quarantine error: stripe.subscription_item rule negative_plan_amount: 1 rows on "
        "1 day(s) above threshold 0, first 2024-03-05, e.g. si_g_negative"
    )
    assert expected in messages, "\n".join(messages)
    failed_rules = {m.split(" rule ")[1].split(":")[0] for m in messages if " error: " in m}
    assert failed_rules == ERROR_RULES, failed_rules
    warned = {m.split(" rule ")[1].split(":")[0] for m in messages if " warn: " in m}
    assert set(EXPECTED) <= warned, set(EXPECTED) - warned


def test_day_run_checks_only_its_window(planted: Any) -> None:
    session, _ = planted
    statuses, messages = dbt_test(
        session, {"submission_date": "2023-01-08", "subplat_date": "2023-01-01"}
    )
    assert statuses["input_quarantine_within_error_thresholds"] == "pass", messages
