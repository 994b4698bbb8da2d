"""Column lineage of the real fxa_metrics project (issue 8), from the compiled SQL of `make test`.

The expected chains below were checked by hand against the compiled SQL of each model (SubPlat:
Stripe/Apple/Google histories unioned into the logical history, daily/monthly actives; FxA:
server-log and Glean rollups). A change to a model that changes a chain fails here on purpose:
re-check the new chain by hand, then update the expectation.
"""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fxa_metrics_tools.lineage.docs import inject_docs
from fxa_metrics_tools.lineage.graph import (
    ColumnGraph,
    build_graph,
    load_project,
    struct_field_paths,
)

PROJECT_DIR = Path(__file__).resolve().parents[2]

logging.getLogger("sqlglot").setLevel(logging.ERROR)

# Mart columns that cannot resolve to a raw column or a literal, with the reason. Keep it short
# and specific: every entry must still be unresolved (checked below), so fixed ones drop out.
UNRESOLVABLE_MART_COLUMNS: dict[str, str] = {}


@pytest.fixture(scope="module")
def target(project_target: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("lineage_real") / "target"
    shutil.copytree(project_target, copy)
    return copy


@pytest.fixture(scope="module")
def graph(target: Path) -> ColumnGraph:
    return build_graph(load_project(target))


def upstream(graph: ColumnGraph, dotted: str) -> set[tuple[str, str, str]]:
    """Every edge above a column: (downstream, kind, upstream), down to raw columns."""
    edges: set[tuple[str, str, str]] = set()
    stack, seen = [graph.resolve_name(dotted)], set()
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        for edge in graph.parents.get(current, []):
            edges.add((graph.display(edge.downstream), edge.kind, graph.display(edge.upstream)))
            stack.append(edge.upstream)
    return edges


def parents(graph: ColumnGraph, dotted: str) -> set[tuple[str, str]]:
    node_id = graph.resolve_name(dotted)
    return {(e.kind, graph.display(e.upstream)) for e in graph.parents.get(node_id, [])}


def leaves(graph: ColumnGraph, dotted: str) -> tuple[set[str], set[str]]:
    raw, literals, gaps = graph.leaves(graph.resolve_name(dotted))
    assert not gaps, f"{dotted}: {sorted(gaps)}"
    return {graph.display(r) for r in raw}, literals


# -- whole chains -------------------------------------------------------------------------------

AUTO_RENEW_CHAIN = {
    # monthly actives pick one history row per subscription and month (row_number filter)
    (
        "monthly_active_logical_subscriptions_v1.subscription.auto_renew",
        "passed_through",
        "logical_subscriptions_history_v1.subscription.auto_renew",
    ),
    (
        "logical_subscriptions_history_v1.subscription.auto_renew",
        "renamed",
        "int_logical_subscriptions_history_enriched.auto_renew",
    ),
    # the union of the three providers
    (
        "int_logical_subscriptions_history_enriched.auto_renew",
        "renamed",
        "stripe_logical_subscriptions_history_v1.subscription.auto_renew",
    ),
    (
        "int_logical_subscriptions_history_enriched.auto_renew",
        "renamed",
        "apple_logical_subscriptions_history_v1.subscription.auto_renew",
    ),
    (
        "int_logical_subscriptions_history_enriched.auto_renew",
        "renamed",
        "google_logical_subscriptions_history_v1.subscription.auto_renew",
    ),
    # Stripe: auto_renew = not cancel_at_period_end
    (
        "stripe_logical_subscriptions_history_v1.subscription.auto_renew",
        "renamed",
        "int_stripe_logical_subscriptions_history_items.auto_renew",
    ),
    (
        "int_stripe_logical_subscriptions_history_items.auto_renew",
        "expression",
        "int_stripe_subscriptions_logical_versions.is_cancel_at_period_end",
    ),
    (
        "int_stripe_subscriptions_logical_versions.is_cancel_at_period_end",
        "passed_through",
        "int_stripe_subscriptions_history.is_cancel_at_period_end",
    ),
    (
        "int_stripe_subscriptions_history.is_cancel_at_period_end",
        "passed_through",
        "int_stripe_subscriptions_history_checked.is_cancel_at_period_end",
    ),
    (
        "int_stripe_subscriptions_history_checked.is_cancel_at_period_end",
        "passed_through",
        "stg_stripe__subscriptions_history.is_cancel_at_period_end",
    ),
    (
        "stg_stripe__subscriptions_history.is_cancel_at_period_end",
        "expression",
        "stripe.subscription_history.cancel_at_period_end",
    ),
    # Apple and Google: cast of the raw auto-renew flag
    (
        "apple_logical_subscriptions_history_v1.subscription.auto_renew",
        "renamed",
        "int_apple_logical_subscription_versions.auto_renew",
    ),
    (
        "int_apple_logical_subscription_versions.auto_renew",
        "renamed",
        "stg_apple__subscriptions_history.is_auto_renew_on",
    ),
    (
        "stg_apple__subscriptions_history.is_auto_renew_on",
        "expression",
        "apple.subscriptions_history.auto_renew_status",
    ),
    (
        "google_logical_subscriptions_history_v1.subscription.auto_renew",
        "renamed",
        "int_google_logical_subscription_versions.auto_renew",
    ),
    (
        "int_google_logical_subscription_versions.auto_renew",
        "renamed",
        "stg_google__subscriptions_history.is_auto_renewing",
    ),
    (
        "stg_google__subscriptions_history.is_auto_renewing",
        "expression",
        "google.subscriptions_history.auto_renewing",
    ),
}


def test_auto_renew_through_the_union_of_providers(graph: ColumnGraph) -> None:
    column = "monthly_active_logical_subscriptions_v1.subscription.auto_renew"
    assert upstream(graph, column) == AUTO_RENEW_CHAIN
    assert leaves(graph, column) == (
        {
            "stripe.subscription_history.cancel_at_period_end",
            "apple.subscriptions_history.auto_renew_status",
            "google.subscriptions_history.auto_renewing",
        },
        set(),
    )
    stg = graph.resolve_name("stg_stripe__subscriptions_history.is_cancel_at_period_end")
    (edge,) = graph.parents[stg]
    assert edge.expression == "COALESCE(renamed.is_cancel_at_period_end, FALSE)"


def test_fxa_user_count_aggregated_over_both_log_streams(graph: ColumnGraph) -> None:
    assert upstream(graph, "fxa_event_counts_daily_v1.user_count") == {
        ("fxa_event_counts_daily_v1.user_count", "aggregate", "fxa_all_events_v1.user_id"),
        ("fxa_all_events_v1.user_id", "passed_through", "int_fxa_log_lines_classified.user_id"),
        (
            "int_fxa_log_lines_classified.user_id",
            "passed_through",
            "stg_fxa_logs__log_lines.user_id",
        ),
        (
            "stg_fxa_logs__log_lines.user_id",
            "expression",
            "fxa_logs.raw_fxa_log_stderr.jsonpayload__fields__user_id",
        ),
        (
            "stg_fxa_logs__log_lines.user_id",
            "expression",
            "fxa_logs.raw_fxa_log_stdout.jsonpayload__fields__user_id",
        ),
    }
    node = graph.resolve_name("fxa_event_counts_daily_v1.user_count")
    (edge,) = graph.parents[node]
    assert (edge.function, edge.expression) == ("count", "COUNT(DISTINCT fxa_all_events.user_id)")


def test_first_seen_date_is_the_min_of_the_log_timestamps(graph: ColumnGraph) -> None:
    assert upstream(graph, "fxa_users_first_seen_v1.first_seen_date") == {
        (
            "fxa_users_first_seen_v1.first_seen_date",
            "aggregate",
            "fxa_all_events_v1.submission_date",
        ),
        (
            "fxa_all_events_v1.submission_date",
            "passed_through",
            "int_fxa_log_lines_classified.submission_date",
        ),
        (
            "int_fxa_log_lines_classified.submission_date",
            "passed_through",
            "stg_fxa_logs__log_lines.submission_date",
        ),
        (
            "stg_fxa_logs__log_lines.submission_date",
            "expression",
            "fxa_logs.raw_fxa_log_stderr.timestamp",
        ),
        (
            "stg_fxa_logs__log_lines.submission_date",
            "expression",
            "fxa_logs.raw_fxa_log_stdout.timestamp",
        ),
        # rule future_timestamp: no submission day for a timestamp beyond the clock skew after
        # receiveTimestamp (else the ingestion day)
        *{
            ("stg_fxa_logs__log_lines.submission_date", "expression", f"fxa_logs.{table}.{col}")
            for table in ("raw_fxa_log_stderr", "raw_fxa_log_stdout")
            for col in ("receivetimestamp", "_ingest_date")
        },
    }


def test_glean_client_count_through_the_union_of_event_streams(graph: ColumnGraph) -> None:
    assert upstream(graph, "accounts_event_counts_daily_v1.client_count") == {
        ("accounts_event_counts_daily_v1.client_count", "aggregate", "int_glean_events.client_id"),
        ("int_glean_events.client_id", "passed_through", "int_glean_events_classified.client_id"),
        (
            "int_glean_events_classified.client_id",
            "passed_through",
            "stg_glean__accounts_backend_events.client_id",
        ),
        (
            "int_glean_events_classified.client_id",
            "passed_through",
            "stg_glean__accounts_frontend_events.client_id",
        ),
        (
            "stg_glean__accounts_backend_events.client_id",
            "expression",
            "accounts_backend.events_stream.client_id",
        ),
        (
            "stg_glean__accounts_frontend_events.client_id",
            "expression",
            "accounts_frontend.events_stream.client_id",
        ),
    }


# -- direct inputs and raw origins --------------------------------------------------------------


def test_was_active_at_month_start_is_a_window_over_the_history(graph: ColumnGraph) -> None:
    column = "monthly_active_logical_subscriptions_v1.was_active_at_month_start"
    # last_value(case when is_active and valid_from <= month start ...) over (partition by
    # subscription id, month order by valid_from desc, item desc): the partition and order keys
    # are not values, so only is_active and valid_from feed it
    assert parents(graph, column) == {
        ("window", "logical_subscriptions_history_v1.subscription.is_active"),
        # valid_from also bounds generate_series(min(valid_from), ...): aggregated is strongest
        ("aggregate", "logical_subscriptions_history_v1.valid_from"),
    }
    node = graph.resolve_name(column)
    assert {e.function for e in graph.parents[node] if e.kind == "window"} == {"last_value"}


def test_month_start_date_through_unnest_of_generate_series(graph: ColumnGraph) -> None:
    column = "monthly_active_logical_subscriptions_v1.month_start_date"
    assert parents(graph, column) == {("aggregate", "logical_subscriptions_history_v1.valid_from")}
    raw, literals = leaves(graph, column)
    assert raw == {
        "stripe.subscription_history._fivetran_start",
        "apple.subscriptions_history.valid_from",
        "google.subscriptions_history.valid_from",
        "google.subscriptions_history.expiry_time",
    }
    # the last month is bounded by today minus subplat_delay_days
    assert literals == {
        "CAST(DATE_TRUNC('MONTH', CAST((NOW() + CAST(-7 AS BIGINT) * INTERVAL '1' DAY) AS DATE))"
        " AS DATE)"
    }


def test_duplicate_rank_is_a_row_number_over_raw_stripe_columns(graph: ColumnGraph) -> None:
    column = "stg_stripe__subscriptions_history.duplicate_rank"
    expected = {
        "_fivetran_active",
        "_fivetran_end",
        "_fivetran_start",
        "customer_id",
        "id",
        "metadata",
        "status",
    }
    assert parents(graph, column) == {
        ("window", f"stripe.subscription_history.{name}") for name in expected
    }
    node = graph.resolve_name(column)
    assert {e.function for e in graph.parents[node]} == {"row_number"}


def test_provider_is_a_literal_per_union_branch(graph: ColumnGraph) -> None:
    column = "logical_subscriptions_history_v1.subscription.provider"
    assert parents(graph, column) == {
        ("renamed", "int_logical_subscriptions_history_enriched.provider")
    }
    assert leaves(graph, column) == (set(), {"'Stripe'", "'Apple'", "'Google'"})


def test_stripe_plan_amount_applies_the_metadata_currency_override(graph: ColumnGraph) -> None:
    column = "stripe_logical_subscriptions_history_v1.subscription.plan_amount"
    assert parents(graph, column) == {
        ("renamed", "int_stripe_logical_subscriptions_history_items.plan_amount")
    }
    assert leaves(graph, column) == (
        {"stripe.plan.amount", "stripe.plan.currency", "stripe.subscription_history.metadata"},
        set(),
    )


def test_daily_plan_interval_from_each_provider(graph: ColumnGraph) -> None:
    column = "daily_active_logical_subscriptions_v1.subscription.plan_interval"
    assert parents(graph, column) == {
        ("passed_through", "logical_subscriptions_history_v1.subscription.plan_interval")
    }
    assert leaves(graph, column)[0] == {
        "apple.subscriptions_history.period",
        "google.subscriptions_history.billing_period",
        "stripe.plan.interval",
        "stripe.plan.interval_count",
    }


def test_tier_count_counts_rows_of_reference_seeds(graph: ColumnGraph) -> None:
    assert parents(graph, "services_v1.tier_count") == {
        ("aggregate", "service_plans.*"),
        ("aggregate", "services.*"),
    }


def test_registered_is_an_aggregate_of_the_event_type(graph: ColumnGraph) -> None:
    assert parents(graph, "fxa_users_daily_v1.registered") == {
        ("aggregate", "fxa_all_events_v1.event_type")
    }
    assert leaves(graph, "fxa_users_daily_v1.registered") == (
        {
            "fxa_logs.raw_fxa_log_stderr.jsonpayload__fields__event_type",
            "fxa_logs.raw_fxa_log_stdout.jsonpayload__fields__event_type",
        },
        set(),
    )


def test_days_seen_bits_sums_bits_over_daily_user_rows(graph: ColumnGraph) -> None:
    # the sum of each active day's bit (bits28 macros write the 28 bits as literal powers of
    # two): the value reads only those constants, so the rows it sums are its inputs (users'
    # days, minus opt-outs)
    column = "fxa_users_last_seen_v1.days_seen_bits"
    assert parents(graph, column) == {
        ("aggregate", "fxa_users_daily_v1.*"),
        ("aggregate", "int_fxa_users_metrics_opt_out.*"),
    }
    # plus the macro's "is this day active" predicate, constant true for days_seen_bits
    powers = {str(2**offset) for offset in range(28)}
    assert leaves(graph, column)[1] == powers | {"COALESCE(TRUE, FALSE)"}


# -- every mart column resolves -----------------------------------------------------------------


def mart_columns(graph: ColumnGraph) -> dict[str, str]:
    """`model.column[.field]` -> node id for every built or documented column of every mart."""
    project = graph.project
    found: dict[str, str] = {}
    for uid, relation in project.relations.items():
        if relation.resource_type != "model" or not relation.path.startswith("models/marts/"):
            continue
        names: set[str] = set()
        for column, type_text in relation.columns.items():
            names.add(column)
            names.update(f"{column}.{path}" for path in struct_field_paths(type_text) or ())
        names.update(c.lower() for c in project.manifest["nodes"][uid].get("columns", {}))
        for name in names:
            found[f"{relation.name}.{name}"] = f"{uid}:{name}"
    return found


def test_every_mart_column_resolves_to_raw_columns_or_literals(graph: ColumnGraph) -> None:
    columns = mart_columns(graph)
    assert len(columns) > 1000  # catalog and docs were read: 46 marts at the time of writing
    failures: dict[str, str] = {}
    for name, node_id in sorted(columns.items()):
        if node_id not in graph.nodes:
            failures[name] = "not in the column graph (not traced)"
            continue
        raw, literals, gaps = graph.leaves(node_id)
        if gaps:
            failures[name] = "; ".join(sorted(gaps)[:3])
        elif not raw and not literals:
            failures[name] = "no raw column and no literal upstream"
    unexpected = {k: v for k, v in failures.items() if k not in UNRESOLVABLE_MART_COLUMNS}
    share = 1 - len(failures) / len(columns)
    logging.getLogger(__name__).info("mart columns fully resolved: %.2f%%", 100 * share)
    assert not unexpected, f"{len(unexpected)} unresolved mart columns:\n" + "\n".join(
        f"  {k}: {v}" for k, v in unexpected.items()
    )
    stale = sorted(set(UNRESOLVABLE_MART_COLUMNS) - set(failures))
    assert not stale, f"allow-listed but now resolved (remove them): {stale}"


# -- CLI and export -----------------------------------------------------------------------------


def test_cli_show_auto_renew_in_under_ten_seconds(target: Path) -> None:
    cmd = [sys.executable, "-m", "fxa_metrics_tools.lineage", "show", "--target-dir", str(target)]
    cmd.append("monthly_active_logical_subscriptions_v1.subscription.auto_renew")
    started = time.perf_counter()
    result = subprocess.run(cmd, cwd=PROJECT_DIR, capture_output=True, text=True, check=True)
    elapsed = time.perf_counter() - started
    lines = result.stdout.splitlines()
    assert lines[0] == "monthly_active_logical_subscriptions_v1.subscription.auto_renew"
    text = "\n".join(lines)
    assert "[derived by expression: NOT priced.is_cancel_at_period_end]" in text
    assert "[renamed: states.is_auto_renew_on]" in text
    assert (
        "[derived by expression: COALESCE(renamed.is_cancel_at_period_end, FALSE)] source "
        "stripe.subscription_history.cancel_at_period_end (raw" in text
    )
    assert "UNRESOLVED" not in text and "array index" not in result.stdout + result.stderr
    assert elapsed < 10, f"lineage show took {elapsed:.1f}s"


def test_export_is_the_whole_consistent_graph(target: Path, graph: ColumnGraph) -> None:
    out = target / "export_test.json"
    cmd = [sys.executable, "-m", "fxa_metrics_tools.lineage", "export", "--target-dir", str(target)]
    subprocess.run([*cmd, "--out", str(out)], cwd=PROJECT_DIR, check=True, capture_output=True)
    data = json.loads(out.read_text())
    ids = {n["id"] for n in data["nodes"]}
    assert all(e["from"] in ids and e["to"] in ids for e in data["edges"])
    assert ids == set(graph.nodes)
    models = {n["unique_id"] for n in data["nodes"] if n["resource_type"] == "model"}
    built = {
        uid
        for uid, node in graph.project.manifest["nodes"].items()
        if node["resource_type"] == "model" and node["config"].get("materialized") != "ephemeral"
    }
    assert models == built
    assert data["summary"]["share_fully_resolved"] >= 0.99


def field_block(description: str, field: str) -> list[str]:
    """The lines of one field's block in a STRUCT column's lineage section."""
    lines = description.splitlines()
    start = lines.index(f"`{field}`:")
    block: list[str] = []
    for line in lines[start + 2 :]:
        if not line.startswith("- "):
            break
        block.append(line)
    return block


def test_docs_show_the_lineage_of_each_struct_field(target: Path) -> None:
    docs_target = target.parent / "docs_target"
    docs_target.mkdir(exist_ok=True)
    for name in ("manifest.json", "catalog.json"):
        shutil.copy(target / name, docs_target / name)
    inject_docs(docs_target)
    manifest = json.loads((docs_target / "manifest.json").read_text())
    uid = "model.fxa_metrics.monthly_active_logical_subscriptions_v1"
    description = manifest["nodes"][uid]["columns"]["subscription"]["description"]
    assert description.count("**Lineage of each field**") == 1
    block = field_block(description, "auto_renew")
    assert block[0] == (
        "- `monthly_active_logical_subscriptions_v1.subscription.auto_renew` <- "
        "`logical_subscriptions_history_v1.subscription.auto_renew` (passed through)"
    )
    assert len(block) <= 6, block  # at most 4 hops, the "more hops" line and the raw columns
    assert block[-1] == (
        "- raw columns: `apple.subscriptions_history.auto_renew_status`, "
        "`google.subscriptions_history.auto_renewing`, "
        "`stripe.subscription_history.cancel_at_period_end`"
    )
    # the full chain of the field is one command away and shows the Stripe expression
    chain = subprocess.run(
        [
            sys.executable,
            "-m",
            "fxa_metrics_tools.lineage",
            "show",
            "monthly_active_logical_subscriptions_v1.subscription.auto_renew",
            "--target-dir",
            str(docs_target),
        ],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "COALESCE(renamed.is_cancel_at_period_end, FALSE)" in chain
    first_seen = manifest["nodes"]["model.fxa_metrics.fxa_users_first_seen_v1"]["columns"]
    hops = first_seen["first_seen_date"]["description"].splitlines()
    assert (
        "- `fxa_users_first_seen_v1.first_seen_date` <- `fxa_all_events_v1.submission_date` "
        "(aggregated min): `MIN(seen_events.submission_date)`"
    ) in hops, hops
    # the log timestamp chain (receiveTimestamp and _ingest_date also feed submission_date,
    # through rule future_timestamp)
    assert any(
        hop.startswith(
            "- `stg_fxa_logs__log_lines.submission_date` <- "
            "`fxa_logs.raw_fxa_log_stdout.timestamp` (raw)"
        )
        for hop in hops
    ), hops
    inject_docs(docs_target)  # a second run replaces the sections, it does not add more
    assert json.loads((docs_target / "manifest.json").read_text()) == manifest
