"""Docs coverage gate over target/manifest.json and target/catalog.json.

An analyst reads this project through its docs site, so every model, seed, source and column
must say what it is, every column the warehouse actually has must be in YAML, and every model
must have a key test (STYLE.md sections 4 and 5). Each test lists every offender.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any

from fxa_metrics_tools.test_rules import PROJECTIONS, manifest_rules, pass_through_parents

LOG = logging.getLogger(__name__)
PACKAGE = "fxa_metrics"
# A model whose rows duplicate by design (1:1 with a raw table that has duplicates, or a
# compatibility view that drops the key columns) says why in config meta instead of a key test.
NO_KEY_META = "no_key_reason"
MIN_NO_KEY_REASON = 40
# A description states its grain ("one row per ...", "rows") early and says more than that.
MIN_DESCRIPTION = 100
GRAIN_WITHIN = 300
GRAIN = re.compile(r"\brows?\b", re.IGNORECASE)


def project_nodes(manifest: dict[str, Any], *types: str) -> Iterator[dict[str, Any]]:
    """Nodes and sources of this project (not dbt's own), of the given resource types."""
    for node in [*manifest["nodes"].values(), *manifest["sources"].values()]:
        if node["package_name"] == PACKAGE and node["resource_type"] in types:
            yield node


def documented_nodes(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """Models, seeds and sources, seeds completed with the docs of the source they load."""
    return [
        with_source_docs(manifest, node)
        for node in project_nodes(manifest, "model", "seed", "source")
    ]


def with_source_docs(manifest: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """A demo seed that stands in for a raw source table (same schema and name) is documented by
    that source: raw columns are described once, in `_<source>__sources.yml` (STYLE.md 4)."""
    if node["resource_type"] != "seed":
        return node
    for source in project_nodes(manifest, "source"):
        same_relation = (source["schema"], source["identifier"]) == (
            node["schema"],
            node["alias"],
        )
        if same_relation:
            columns = {**source["columns"], **node["columns"]}
            description = node["description"] or source["description"]
            return {
                **node,
                "description": description,
                "columns": columns,
                "documented_by": source["unique_id"],
            }
    return node


def label(node: dict[str, Any]) -> str:
    if node["resource_type"] == "source":
        return f"source {node['source_name']}.{node['name']} ({node['original_file_path']})"
    return f"{node['resource_type']} {node['name']} ({node['original_file_path']})"


def described(text: str | None) -> bool:
    return bool(text and text.strip())


def offender_list(title: str, offenders: list[str]) -> str:
    return f"{len(offenders)} {title}:\n  " + "\n  ".join(sorted(offenders))


def test_every_model_seed_and_source_is_described(
    docs_manifest: dict[str, Any], coverage_figures: dict[str, str]
) -> None:
    nodes = documented_nodes(docs_manifest)
    undocumented = [label(node) for node in nodes if not described(node["description"])]
    models = [node for node in nodes if node["resource_type"] == "model"]
    models_described = sum(described(node["description"]) for node in models)
    coverage_figures["models described"] = f"{models_described} / {len(models)}"
    coverage_figures["models, seeds and sources described"] = (
        f"{len(nodes) - len(undocumented)} / {len(nodes)}"
    )
    sources = {node["source_name"] for node in nodes if node["resource_type"] == "source"}
    source_descriptions = {
        node["source_name"]: node["source_description"]
        for node in nodes
        if node["resource_type"] == "source"
    }
    undocumented += [
        f"source {name} (the source itself)"
        for name in sources
        if not described(source_descriptions[name])
    ]
    assert not undocumented, offender_list("without a description", undocumented)


def grain_problem(description: str) -> str | None:
    """Why a model, seed or source description fails the analyst's bar, or None."""
    text = " ".join(description.split())
    if len(text) < MIN_DESCRIPTION:
        return f"{len(text)} characters (at least {MIN_DESCRIPTION}: grain, how to query, caveats)"
    if not GRAIN.search(text[:GRAIN_WITHIN]):
        return f"no grain in its first {GRAIN_WITHIN} characters ('one row per ...')"
    return None


def test_descriptions_state_grain_first(
    docs_manifest: dict[str, Any], coverage_figures: dict[str, str]
) -> None:
    """STYLE.md 4: grain first, then how to query, then caveats; a one-liner is not enough.
    Demo seeds standing in for a raw table are judged by their source's description."""
    nodes = [node for node in documented_nodes(docs_manifest) if "documented_by" not in node]
    failing = [
        f"{label(node)}: {problem}"
        for node in nodes
        if (problem := grain_problem(node["description"])) is not None
    ]
    coverage_figures["descriptions with grain first"] = (
        f"{len(nodes) - len(failing)} / {len(nodes)}"
    )
    assert not failing, offender_list("descriptions without grain or too short", failing)


def test_grain_check_can_fail() -> None:
    assert grain_problem("One row per card.") is not None
    assert grain_problem("Cards. " + "x" * 200) is not None
    assert grain_problem("One row per Stripe card (key card_id): " + "its country. " * 8) is None


def test_every_column_is_described(
    docs_manifest: dict[str, Any], coverage_figures: dict[str, str]
) -> None:
    total = 0
    undocumented = []
    for node in documented_nodes(docs_manifest):
        if "documented_by" in node:
            continue  # a demo seed: its columns are the source's, checked with the source
        for column in node["columns"].values():
            total += 1
            if not described(column["description"]):
                undocumented.append(f"{label(node)}: column {column['name']}")
    coverage_figures["columns described (YAML)"] = f"{total - len(undocumented)} / {total}"
    assert total, "no column is documented at all"
    assert not undocumented, offender_list("columns without a description", undocumented)


def test_every_built_column_is_in_yaml(
    docs_manifest: dict[str, Any], docs_catalog: dict[str, Any], coverage_figures: dict[str, str]
) -> None:
    built = {**docs_catalog["nodes"], **docs_catalog["sources"]}
    documented = {
        node["unique_id"]: {name.lower() for name in node["columns"]}
        for node in documented_nodes(docs_manifest)
    }
    total = 0
    missing = []
    for unique_id, entry in built.items():
        if unique_id not in documented:
            continue
        for column in entry["columns"].values():
            total += 1
            if column["name"].lower() not in documented[unique_id]:
                missing.append(f"{unique_id}: column {column['name']} ({column['type']})")
    described_built = total - len(missing)
    coverage_figures["built columns in YAML (catalog)"] = f"{described_built} / {total}"
    not_built = sorted(
        node["name"]
        for node in project_nodes(docs_manifest, "model")
        if node["unique_id"] not in built and node["config"]["materialized"] != "ephemeral"
    )
    assert total, "the catalog has no column: was the warehouse built before docs generate?"
    missing += [
        f"model {name}: not in the catalog (not built), columns unchecked" for name in not_built
    ]
    assert not missing, offender_list("built columns missing from YAML", missing)


def key_tested_models(manifest: dict[str, Any]) -> tuple[set[str], dict[str, int]]:
    """Models with a key test, and the number of enabled data tests attached to each model.

    A key is a unique_combination, or unique + not_null on one column, whether written as dbt's
    tests or inside `column_rules` (the rules come from fxa_metrics_tools.test_rules, which
    reads both). A view that passes a keyed model through row for row (`select *` of one ref,
    or a declared projection) has that model's key.
    """
    rules = manifest_rules(manifest, PACKAGE)
    unique = {(rule.model, rule.subject) for rule in rules if rule.kind == "unique"}
    not_null = {(rule.model, rule.subject) for rule in rules if rule.kind == "not_null"}
    keyed_names = {rule.model for rule in rules if rule.kind == "unique_combination"}
    keyed_names |= {model for model, column in unique & not_null}
    parents = {**pass_through_parents(manifest)}
    parents.update({name: target for name, (target, _) in PROJECTIONS.items()})
    changed = True
    while changed:
        found = {name for name, parent in parents.items() if parent in keyed_names}
        changed = not found <= keyed_names
        keyed_names |= found
    test_count: dict[str, int] = {}
    for test in project_nodes(manifest, "test"):
        model_id = test.get("attached_node")
        if model_id and test["config"].get("enabled", True):
            test_count[model_id] = test_count.get(model_id, 0) + 1
    keyed = {
        model["unique_id"]
        for model in project_nodes(manifest, "model")
        if model["name"] in keyed_names
    }
    return keyed, test_count


def no_key_reason(model: dict[str, Any]) -> str:
    """Why a model has no unique key, when it says so (config meta `no_key_reason`)."""
    meta = {**(model.get("meta") or {}), **(model["config"].get("meta") or {})}
    return str(meta.get(NO_KEY_META) or "").strip()


def test_every_model_has_a_key_test(
    docs_manifest: dict[str, Any], coverage_figures: dict[str, str]
) -> None:
    """A key test, or (rows duplicate by design) a stated reason and other tests instead."""
    keyed, test_count = key_tested_models(docs_manifest)
    models = list(project_nodes(docs_manifest, "model"))
    without_key = []
    exempt = []
    for model in models:
        if model["unique_id"] in keyed:
            continue
        reason = no_key_reason(model)
        if len(reason) < MIN_NO_KEY_REASON:
            without_key.append(label(model))
        elif not test_count.get(model["unique_id"]):
            without_key.append(f"{label(model)}: no key by design, but no other test either")
        else:
            exempt.append(model["name"])
    coverage_figures["models with a key test"] = (
        f"{len(models) - len(without_key) - len(exempt)} / {len(models)}"
        + (
            f" (+{len(exempt)} without a key by design: {', '.join(sorted(exempt))})"
            if exempt
            else ""
        )
    )
    assert models, "the manifest has no model"
    assert not without_key, offender_list(
        "models without a key test (unique + not_null on one column, or unique_combination; "
        f"rows duplicate by design: config meta {NO_KEY_META!r} saying why, plus other tests)",
        without_key,
    )


def test_no_key_reason_is_only_used_without_a_key(docs_manifest: dict[str, Any]) -> None:
    """The escape hatch must not outlive the reason: a model that has a key test drops it."""
    keyed, _ = key_tested_models(docs_manifest)
    stale = [
        label(model)
        for model in project_nodes(docs_manifest, "model")
        if model["unique_id"] in keyed and no_key_reason(model)
    ]
    assert not stale, offender_list(f"models with a key test and a {NO_KEY_META!r}", stale)


# The Looker explores the SubPlat dashboards are built on (Mozilla accounts metrics page, kept
# in seed-docs): each must be an exposure reading the table its LookML view names.
LOOKER_EXPLORES = {
    explore: f"model.{PACKAGE}.{table}"
    for explore, table in {
        "logical_subscriptions": "logical_subscriptions_history",
        "daily_active_logical_subscriptions": "daily_active_logical_subscriptions",
        "monthly_active_logical_subscriptions": "monthly_active_logical_subscriptions",
        "logical_subscription_events": "logical_subscription_events",
        "service_subscriptions": "service_subscriptions_history",
        "daily_active_service_subscriptions": "daily_active_service_subscriptions",
        "monthly_active_service_subscriptions": "monthly_active_service_subscriptions",
        "service_subscription_events": "service_subscription_events",
        "all_event_counts": "fxa_all_events",
    }.items()
}


def test_looker_explores_and_dashboards_are_exposures(
    docs_manifest: dict[str, Any], coverage_figures: dict[str, str]
) -> None:
    exposures = [
        exposure
        for exposure in docs_manifest["exposures"].values()
        if exposure["package_name"] == PACKAGE
    ]
    problems = []
    explores = {}
    for exposure in exposures:
        explore = (exposure["config"].get("meta") or exposure.get("meta") or {}).get(
            "looker_explore"
        )
        if explore:
            explores[explore] = exposure
        parents = exposure["depends_on"]["nodes"]
        if not described(exposure["description"]) or not exposure.get("url"):
            problems.append(f"exposure {exposure['name']}: no description or url")
        if not any(parent.startswith("model.") for parent in parents):
            problems.append(f"exposure {exposure['name']}: depends on no model")
    for explore, table in LOOKER_EXPLORES.items():
        if explore not in explores:
            problems.append(f"Looker explore {explore}: no exposure (config meta looker_explore)")
        elif table not in explores[explore]["depends_on"]["nodes"]:
            problems.append(f"Looker explore {explore}: exposure does not depend on {table}")
    dashboards = [exposure for exposure in exposures if exposure["type"] == "dashboard"]
    if not dashboards:
        problems.append("no dashboard exposure (the SubPlat dashboards)")
    coverage_figures["exposures"] = f"{len(explores)} explores, {len(dashboards)} dashboards"
    assert not problems, offender_list("exposure problems", problems)
