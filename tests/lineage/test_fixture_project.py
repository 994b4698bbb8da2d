"""The lineage tool end to end on the fixture mini dbt project (tests/lineage/fixtures/):
manifest + catalog reading, the column graph, the CLI, the JSON export and the docs hook."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fxa_metrics_tools.lineage.docs import inject_docs, strip_injected, with_sections
from fxa_metrics_tools.lineage.graph import CACHE_FILE, build_graph, load_project

pytestmark = pytest.mark.slow

PROJECT_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture
def target(fixture_target: Path, tmp_path: Path) -> Path:
    """A private copy of the fixture target (tests write the cache, export and docs)."""
    copy = tmp_path / "target"
    shutil.copytree(fixture_target, copy)
    return copy


def parents(graph, dotted: str) -> set[tuple[str, str]]:
    node_id = graph.resolve_name(dotted)
    return {(graph.display(e.upstream), e.kind) for e in graph.parents.get(node_id, [])}


def test_chain_of_a_struct_field_through_union_aggregate_and_struct_insert(target: Path) -> None:
    graph = build_graph(load_project(target))
    assert parents(graph, "monthly.subscription.auto_renew") == {
        ("daily.subscription.auto_renew", "passed_through")
    }
    assert parents(graph, "daily.subscription.auto_renew") == {
        ("history.subscription.auto_renew", "aggregate")
    }
    assert parents(graph, "history.subscription.auto_renew") == {
        ("stripe_history.subscription.auto_renew", "passed_through"),
        ("apple_history.subscription.auto_renew", "passed_through"),
    }
    assert parents(graph, "stripe_history.subscription.auto_renew") == {
        ("stg_subscriptions.cancel_at_period_end", "expression")
    }
    assert parents(graph, "stg_subscriptions.cancel_at_period_end") == {
        ("raw.subscription_history.cancel_at_period_end", "passed_through")
    }
    raw, literals, gaps = graph.leaves(graph.resolve_name("monthly.subscription.auto_renew"))
    assert {graph.display(r) for r in raw} == {
        "raw.subscription_history.cancel_at_period_end",
        "raw.apple_subscriptions_history.auto_renew_status",
    }
    assert not literals and not gaps
    source_node = graph.nodes[graph.resolve_name("raw.subscription_history.cancel_at_period_end")]
    assert source_node["resource_type"] == "source"
    assert source_node["loaded_by"] == "seed.lineage_fixture.subscription_history"


def test_window_aggregate_literal_and_inserted_field(target: Path) -> None:
    graph = build_graph(load_project(target))
    assert parents(graph, "history.version_number") == {
        ("stripe_history.subscription.id", "window"),
        ("apple_history.subscription.id", "window"),
        ("stripe_history.valid_from", "window"),
        ("apple_history.valid_from", "window"),
    }
    assert parents(graph, "daily.versions") == {("history.*", "aggregate")}
    assert parents(graph, "monthly.subscription.monthly_amount") == {
        ("daily.subscription.plan_amount", "expression")
    }
    provider = graph.resolve_name("history.subscription.provider")
    assert graph.leaves(provider)[1] == {"'Stripe'", "'Apple'"}


def test_unknown_column_names_the_known_ones(target: Path) -> None:
    graph = build_graph(load_project(target))
    with pytest.raises(Exception, match="monthly has no column subscription.nope; known: "):
        graph.resolve_name("monthly.subscription.nope")


def test_cli_show_prints_the_chain_quickly(target: Path) -> None:
    cmd = [sys.executable, "-m", "fxa_metrics_tools.lineage", "show"]
    cmd += ["monthly.subscription.auto_renew", "--target-dir", str(target)]
    started = time.perf_counter()
    result = subprocess.run(cmd, cwd=PROJECT_DIR, capture_output=True, text=True, check=True)
    elapsed = time.perf_counter() - started
    lines = result.stdout.splitlines()
    assert lines[0] == "monthly.subscription.auto_renew"
    assert "<- [passed through] daily.subscription.auto_renew" in lines[1]
    assert any(
        "[derived by expression: NOT COALESCE(joined.cancel_at_period_end, FALSE)]"
        " stg_subscriptions.cancel_at_period_end" in line
        for line in lines
    )
    assert any(
        "source raw.subscription_history.cancel_at_period_end (raw, loaded by seed" in line
        for line in lines
    )
    assert elapsed < 10, f"lineage show took {elapsed:.1f}s"
    assert (target / CACHE_FILE).exists()


def test_cache_is_used_and_invalidated_by_new_sql(target: Path) -> None:
    build_graph(load_project(target))
    cache = json.loads((target / CACHE_FILE).read_text())
    uid = "model.lineage_fixture.monthly"
    # poison the cached result: a cache hit must return it unchanged
    cache["models"][uid]["columns"]["id"]["edges"][0]["kind"] = "renamed"
    (target / CACHE_FILE).write_text(json.dumps(cache))
    graph = build_graph(load_project(target))
    assert parents(graph, "monthly.id") == {("daily.id", "renamed")}
    # new compiled SQL changes the key: the model is traced again
    manifest = json.loads((target / "manifest.json").read_text())
    manifest["nodes"][uid]["compiled_code"] += "\n"
    (target / "manifest.json").write_text(json.dumps(manifest))
    graph = build_graph(load_project(target))
    assert parents(graph, "monthly.id") == {("daily.id", "passed_through")}


def test_export_has_nodes_edges_and_summary(target: Path) -> None:
    cmd = [sys.executable, "-m", "fxa_metrics_tools.lineage", "export", "--target-dir", str(target)]
    subprocess.run(cmd, cwd=PROJECT_DIR, capture_output=True, text=True, check=True)
    data = json.loads((target / "column_lineage.json").read_text())
    ids = {n["id"] for n in data["nodes"]}
    assert "model.lineage_fixture.monthly:subscription.auto_renew" in ids
    assert "source.lineage_fixture.raw.subscription_history:cancel_at_period_end" in ids
    edge = next(
        e
        for e in data["edges"]
        if e["to"] == "model.lineage_fixture.stripe_history:subscription.auto_renew"
    )
    assert edge == {
        "from": "model.lineage_fixture.stg_subscriptions:cancel_at_period_end",
        "to": "model.lineage_fixture.stripe_history:subscription.auto_renew",
        "kind": "expression",
        "expression": "NOT COALESCE(joined.cancel_at_period_end, FALSE)",
        "function": "",
        "via": ["(final select).subscription.auto_renew: expression"],
    }
    assert all(e["from"] in ids and e["to"] in ids for e in data["edges"])
    assert data["summary"]["share_fully_resolved"] == 1.0
    assert {"to": "model.lineage_fixture.stripe_history:subscription.provider"} | {
        "kind": "literal",
        "expression": "'Stripe'",
    } in data["literals"]


def test_docs_hook_injects_lineage_once(target: Path) -> None:
    cmd = [sys.executable, "-m", "fxa_metrics_tools.lineage", "docs", str(target)]
    subprocess.run(cmd, cwd=PROJECT_DIR, capture_output=True, text=True, check=True)
    manifest = json.loads((target / "manifest.json").read_text())
    columns = manifest["nodes"]["model.lineage_fixture.monthly"]["columns"]
    description = columns["subscription.auto_renew"]["description"]
    assert description.startswith(
        "Whether the subscription renews at the period end.\n\n**Lineage**"
    )
    lines = description.splitlines()
    # one hop per line, nearest first, the expression of a derived hop on its line
    assert (
        "- `monthly.subscription.auto_renew` <- `daily.subscription.auto_renew` (passed through)"
        in lines
    )
    assert (
        "- `stripe_history.subscription.auto_renew` <- `stg_subscriptions.cancel_at_period_end` "
        "(derived by expression): `NOT COALESCE(joined.cancel_at_period_end, FALSE)`"
    ) in lines
    # raw columns last
    assert lines[-1] == (
        "- raw columns: `raw.apple_subscriptions_history.auto_renew_status`, "
        "`raw.subscription_history.cancel_at_period_end`"
    )
    assert columns["id"]["description"].count("**Lineage**") == 1
    html = (target / "static_index.html").read_text()
    first_html = html
    assert html.count("**Lineage**") >= 3

    inject_docs(target)  # idempotent: a second run changes nothing
    assert json.loads((target / "manifest.json").read_text()) == manifest
    assert (target / "static_index.html").read_text() == first_html


def test_injected_sections_are_replaced_not_appended() -> None:
    once = with_sections("Grain first.", "**Rules cited** x", "**Lineage** a")
    assert once == "Grain first.\n\n**Rules cited** x\n\n**Lineage** a"
    assert with_sections(once, "", "**Lineage** b") == "Grain first.\n\n**Lineage** b"
    assert strip_injected(once) == "Grain first."
    assert with_sections("", "**Lineage** a") == "**Lineage** a"
