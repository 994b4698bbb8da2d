"""The rules the project's dbt data tests check, derived from the manifest (issue 15).

One rule is one line ``<model>: <rule> <subject>``, e.g.
``fxa_users_daily_v1: not_null user_id`` or
``fxa_users_daily_v1: unique_combination [submission_date, user_id]``. Per-column tests and the
folded ``column_rules`` test (tests/dbt/generic/column_rules.sql) give the same lines, so the list
before folding and the list after can be compared.

A rule missing from the current list still counts as checked when another rule proves it
(``covering_rule``):

- a pass-through view (``select * from`` one ref, nothing else) has the rows of its parent:
  the parent's rule proves the view's;
- a row-for-row projection (``PROJECTIONS``: no filter, join or aggregation; columns renamed or
  packed into a struct) proves the rule on the renamed column of its source;
- ``unique_combination`` of a set of columns is proven by that of a subset, or by ``unique`` plus
  ``not_null`` of one of its columns;
- ``valid_history_intervals`` fails on a null or backwards interval: it proves ``not_null`` of
  its two columns and the expression ``<to> >= <from>`` / ``<from> < <to>``;
- the key of a demo seed (seeds/demo/, fixed CSV files) is checked by the generator's pytest
  (``DEMO_KEYS_TEST``, on ``demo_common.DEMO_TABLE_KEYS``), not by a dbt test at every build.

Usage: ``python -m fxa_metrics_tools.test_rules [--manifest target/manifest.json]`` prints the
list; ``--write FILE`` stores it; ``--check FILE`` exits 1 naming every rule of FILE that is
neither in the current list nor proven by one of its rules.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from fxa_metrics_tools import demo_common

PROJECT_DIR = Path(__file__).resolve().parents[1]

# model -> (a model with the same rows, {its column: that model's column}): one of the two
# selects every row of the other, one ref, no filter, join or aggregation, renaming columns or
# packing them into a struct (checked by tests/test_rules/). stripe_logical_subscriptions_
# history_v1 packs the intermediate view's columns into `subscription`; the user-facing daily /
# monthly views pack the flat revenue columns of their intermediate model into `subscription`
# (their rules are checked on the intermediate model: one revenue computation, not two).
_REVENUE_FIELDS = {
    f"subscription.{field}": field
    for field in (
        "country_vat_rate",
        "plan_currency_usd_exchange_rate",
        "plan_amount_usd",
        "current_period_discount_amount_usd",
        "ongoing_discount_amount_usd",
        "monthly_recurring_revenue",
        "monthly_recurring_revenue_usd",
        "annual_recurring_revenue",
        "annual_recurring_revenue_usd",
    )
}
PROJECTIONS: dict[str, tuple[str, dict[str, str]]] = {
    "int_stripe_logical_subscriptions_history_items": (
        "stripe_logical_subscriptions_history_v1",
        {
            "logical_subscription_id": "subscription.id",
            "provider_subscription_item_id": "subscription.provider_subscription_item_id",
        },
    ),
    "daily_active_logical_subscriptions": (
        "int_logical_daily_active_subscriptions_revenue",
        _REVENUE_FIELDS,
    ),
    "monthly_active_logical_subscriptions": (
        "int_logical_monthly_active_subscriptions_revenue",
        _REVENUE_FIELDS,
    ),
    # the user-facing views that add columns to their table's rows, keys passed unchanged
    "fxa_users_last_seen": ("fxa_users_last_seen_v1", {}),
    "fxa_users_services_first_seen": ("fxa_users_services_first_seen_v2", {}),
    "service_subscription_events": ("service_subscription_events_v1", {}),
    "daily_active_service_subscriptions": (
        "int_service_daily_active_subscriptions_revenue",
        _REVENUE_FIELDS,
    ),
    "monthly_active_service_subscriptions": (
        "int_service_monthly_active_subscriptions_revenue",
        _REVENUE_FIELDS,
    ),
}

DEMO_KEYS_TEST = (
    "tests/generator/test_subplat_demo_data.py::"
    "test_keys_are_unique_except_the_intentional_duplicate"
)

PASS_THROUGH = re.compile(
    r"^with\s+(\w+)\s+as\s*\(\s*select\s+\*\s+from\s+\{\{\s*ref\(\s*'(\w+)'\s*\)\s*\}\}\s*\)"
    r"\s*select\s+\*\s+from\s+(\w+)\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True, order=True)
class Rule:
    model: str
    kind: str
    subject: str

    def line(self) -> str:
        return f"{self.model}: {self.kind} {self.subject}".rstrip()


def _norm(sql: str) -> str:
    return " ".join(str(sql).split())


def _values(values: list, quote: bool) -> str:
    shown = sorted(str(value) for value in values)
    return "[" + ", ".join(shown) + "]" + ("" if quote else " unquoted")


def _columns(columns: list[str]) -> str:
    return "[" + ", ".join(sorted(_norm(column) for column in columns)) + "]"


def _expression(expression: str, where: str | None) -> str:
    return _norm(expression) + (f" where {_norm(where)}" if where else "")


def _relationship(item: dict) -> str:
    """The subject of dbt's relationships test (its kwargs), for a column_rules relationship."""
    column = item["column"]
    return json.dumps(
        {"column_name": column, "field": item.get("field", column), "to": item["to"]},
        sort_keys=True,
    )


def rules_of_test(node: dict) -> list[Rule]:
    """The rules one test node of the manifest checks."""
    metadata = node.get("test_metadata") or {}
    name = metadata.get("name")
    if not name:
        return [Rule("singular", "singular", node["name"])]
    kwargs = dict(metadata.get("kwargs") or {})
    model = (node.get("attached_node") or "").split(".")[-1] or kwargs.get("model", "?")
    column = node.get("column_name") or kwargs.get("column_name")
    where = node["config"].get("where")
    suffix = f" [config where {_norm(where)}]" if where else ""
    rules: list[Rule] = []

    def add(kind: str, subject: str) -> None:
        rules.append(Rule(model, kind, subject + suffix))

    if name == "not_null":
        add("not_null", _norm(column))
    elif name == "unique":
        add("unique", _norm(column))
    elif name == "accepted_values":
        add(
            "accepted_values",
            f"{_norm(column)} in {_values(kwargs['values'], kwargs.get('quote', True))}",
        )
    elif name == "column_rules":
        for item in kwargs.get("not_null") or []:
            add("not_null", _norm(item))
        for item in kwargs.get("unique") or []:
            add("unique", _norm(item))
        for item, spec in (kwargs.get("accepted_values") or {}).items():
            values = spec["values"] if isinstance(spec, dict) else spec
            quote = spec.get("quote", True) if isinstance(spec, dict) else True
            add("accepted_values", f"{_norm(item)} in {_values(values, quote)}")
        for columns in kwargs.get("unique_combinations") or []:
            add("unique_combination", _columns(columns))
        for item in kwargs.get("expressions") or []:
            if isinstance(item, dict):
                add("expression_is_true", _expression(item["expression"], item.get("where")))
            else:
                add("expression_is_true", _expression(item, None))
        for item in kwargs.get("relationships") or []:
            add("relationships", _relationship(item))
        for item in kwargs.get("valid_history_intervals") or []:
            add("valid_history_intervals", json.dumps(dict(item), sort_keys=True))
        if kwargs.get("min_rows") is not None:
            add("row_count_between", f"min {kwargs['min_rows']} max None")
    else:
        shown = {key: value for key, value in kwargs.items() if key not in ("model",)}
        if column:
            shown["column_name"] = column
        add(name, json.dumps(shown, sort_keys=True))
    return rules


def manifest_rules(manifest: dict, package: str = "fxa_metrics") -> set[Rule]:
    """Every rule the data tests of the package check (unit tests are not data tests)."""
    rules: set[Rule] = set()
    for node in manifest["nodes"].values():
        if node["resource_type"] == "test" and node["package_name"] == package:
            rules.update(rules_of_test(node))
    return rules


def pass_through_parents(manifest: dict) -> dict[str, str]:
    """Views that are ``select * from`` one ref and nothing else -> that ref's model."""
    parents: dict[str, str] = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model":
            continue
        code = re.sub(r"\{#.*?#\}", "", node.get("raw_code", ""), flags=re.DOTALL)
        match = PASS_THROUGH.match(code.strip())
        if match and match.group(1) == match.group(3):
            parents[node["name"]] = match.group(2)
    return parents


def demo_seed_keys(manifest: dict) -> dict[str, str]:
    """Demo seed name -> its key rule's subject, as the generator's pytest checks it."""
    keys: dict[str, str] = {}
    for node in manifest["nodes"].values():
        path = node.get("original_file_path", "")
        if node["resource_type"] == "seed" and path.startswith("seeds/demo/"):
            table = path.removeprefix("seeds/demo/").removesuffix(".csv")
            keys[node["name"]] = _columns(list(demo_common.demo_table_key(table)))
    return keys


def _rename(subject: str, columns: dict[str, str]) -> str:
    for old, new in columns.items():
        subject = re.sub(rf"(?<![\w.]){re.escape(old)}(?![\w])", new, subject)
    return subject


def covering_rule(
    rule: Rule,
    current: set[Rule],
    parents: dict[str, str],
    demo_keys: dict[str, str] | None = None,
) -> Rule | None:
    """A rule of ``current`` that proves ``rule`` (itself if present), else None."""
    if rule in current:
        return rule
    if (
        rule.kind == "unique_combination"
        and demo_keys
        and demo_keys.get(rule.model) == rule.subject
    ):
        return Rule(rule.model, "pytest", DEMO_KEYS_TEST)
    if rule.model in parents:
        found = covering_rule(
            Rule(parents[rule.model], rule.kind, rule.subject), current, parents, demo_keys
        )
        if found:
            return found
    if rule.model in PROJECTIONS:
        target, columns = PROJECTIONS[rule.model]
        subject = rule.subject
        if rule.kind in ("unique_combination",):
            inner = [_rename(item, columns) for item in subject.strip("[]").split(", ")]
            subject = _columns(inner)
        else:
            subject = _rename(subject, columns)
        found = covering_rule(Rule(target, rule.kind, subject), current, parents, demo_keys)
        if found:
            return found
    same_model = [item for item in current if item.model == rule.model]
    if rule.kind == "unique_combination":
        wanted = set(rule.subject.strip("[]").split(", "))
        for item in same_model:
            if item.kind == "unique_combination" and set(item.subject.strip("[]").split(", ")) <= (
                wanted
            ):
                return item
        for column in sorted(wanted):
            unique = Rule(rule.model, "unique", column)
            if unique in current and Rule(rule.model, "not_null", column) in current:
                return unique
    for item in same_model:
        if item.kind != "valid_history_intervals":
            continue
        spec = json.loads(item.subject)
        low, high = spec.get("from_column", "valid_from"), spec.get("to_column", "valid_to")
        proven = {
            ("not_null", low),
            ("not_null", high),
            ("expression_is_true", f"{high} >= {low}"),
            ("expression_is_true", f"{low} < {high}"),
        }
        if (rule.kind, rule.subject) in proven:
            return item
    return None


def uncovered(before: set[Rule], current: set[Rule], manifest: dict) -> list[Rule]:
    parents = pass_through_parents(manifest)
    demo_keys = demo_seed_keys(manifest)
    return sorted(
        rule for rule in before if covering_rule(rule, current, parents, demo_keys) is None
    )


def parse_line(line: str) -> Rule:
    model, rest = line.split(": ", 1)
    kind, _, subject = rest.partition(" ")
    return Rule(model, kind, subject)


def read_rules(path: Path) -> set[Rule]:
    return {
        parse_line(line)
        for line in path.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--manifest", type=Path, default=PROJECT_DIR / "target" / "manifest.json")
    parser.add_argument("--write", type=Path, help="write the current rule list to this file")
    parser.add_argument("--check", type=Path, help="rule list that must still be covered")
    args = parser.parse_args(argv)
    manifest = json.loads(args.manifest.read_text())
    current = manifest_rules(manifest)
    lines = sorted(rule.line() for rule in current)
    if args.write:
        args.write.write_text(
            "# generated by python -m fxa_metrics_tools.test_rules --write (one rule a line)\n"
            + "\n".join(lines)
            + "\n"
        )
    if args.check:
        missing = uncovered(read_rules(args.check), current, manifest)
        for rule in missing:
            print(f"not checked any more: {rule.line()}", file=sys.stderr)
        print(f"{len(current)} rules now; {len(missing)} of {args.check} not covered")
        return 1 if missing else 0
    if not args.write:
        print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
