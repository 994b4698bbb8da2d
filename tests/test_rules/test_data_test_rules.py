"""Every rule the data tests checked before the fold (issue 15) is still checked.

data_test_rules_before.txt is the rule list generated from the manifest before the per-column
tests were folded into column_rules (``python -m fxa_metrics_tools.test_rules --write``). The
current manifest (target/manifest.json of `make build` / `make test`) must check each of those
rules itself or through a rule that proves it (fxa_metrics_tools.test_rules.covering_rule).
A rule removed on purpose: regenerate the file with --write and say why in the commit.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from fxa_metrics_tools import test_rules
from fxa_metrics_tools.testing import PROJECT_DIR

BEFORE = Path(__file__).with_name("data_test_rules_before.txt")


@pytest.fixture(scope="module")
def manifest() -> dict:
    path = PROJECT_DIR / "target" / "manifest.json"
    if not path.exists():
        pytest.fail(f"no {path}: run `make build` (or `dbt parse`) first")
    return json.loads(path.read_text())


def test_every_rule_of_before_is_still_checked(manifest: dict) -> None:
    before = test_rules.read_rules(BEFORE)
    current = test_rules.manifest_rules(manifest)
    missing = test_rules.uncovered(before, current, manifest)
    assert not missing, "rules no test checks any more:\n" + "\n".join(
        rule.line() for rule in missing
    )


def test_a_dropped_rule_is_reported(manifest: dict) -> None:
    """The check can fail: a current rule taken away shows up as uncovered."""
    current = test_rules.manifest_rules(manifest)
    victim = test_rules.Rule("fxa_users_daily_v1", "not_null", "user_id")
    assert victim in current
    assert test_rules.uncovered({victim}, current - {victim}, manifest) == [victim]


def test_projections_keep_every_row(manifest: dict) -> None:
    """A PROJECTIONS pair proves rules only if one model reads the other whole, row for row."""
    nodes = manifest["nodes"].values()
    models = {node["name"]: node for node in nodes if node["resource_type"] == "model"}
    for first, (second, _) in test_rules.PROJECTIONS.items():
        pairs = [(a, b) for a, b in ((first, second), (second, first))]
        projection, source = next(
            (a, b)
            for a, b in pairs
            if models[a]["depends_on"]["nodes"] == [f"model.fxa_metrics.{b}"]
        )
        code = re.sub(r"\{#.*?#\}", "", models[projection]["raw_code"], flags=re.DOTALL).lower()
        for clause in (" where ", " join ", "group by", "distinct", "qualify", "union", "limit"):
            assert clause not in code, f"{projection} has {clause!r}: not a projection of {source}"


def test_pass_through_views_are_detected(manifest: dict) -> None:
    parents = test_rules.pass_through_parents(manifest)
    assert parents["fxa_users_daily"] == "fxa_users_daily_v1"
    # a view that adds columns is not a pass-through
    assert "fxa_users_last_seen" not in parents


def test_demo_seed_keys_count_only_as_the_generator_checks_them(manifest: dict) -> None:
    """A demo seed's key is proven by the generator's pytest only for the key it checks."""
    current = test_rules.manifest_rules(manifest)
    assert test_rules.demo_seed_keys(manifest)["invoice_line_item"] == "[invoice_id, unique_id]"
    right = test_rules.Rule("card", "unique_combination", "[id]")
    wrong = test_rules.Rule("card", "unique_combination", "[customer_id]")
    assert test_rules.uncovered({right, wrong}, current, manifest) == [wrong]
