"""SubPlat mart tables in the built warehouse match Mozilla's published bigquery-etl schemas.

The reference `schema.yaml` files (tests/reference/bigquery-etl-schemas/ for the logical
subscriptions, tests/reference/service-subscriptions-schemas/ for the service subscriptions,
both copied unchanged from mozilla/bigquery-etl, MPL-2.0) use bigquery-etl's include tags; they
are resolved here against the copied files of both folders. Every column, every `subscription`
(and `old_subscription`) struct field and every nested field (`services`, `service`) is
compared by name and by type family (STRING, INT, FLOAT, NUMERIC, BOOL, TIMESTAMP, DATE, RECORD,
each possibly REPEATED).

Two includes name tables whose schemas Mozilla did not publish with these files
(`stripe_logical_subscriptions_attribution_v1/_v2`, for `first_touch_attribution` and
`last_touch_attribution`) and the views include `subscription_revenue_fields_schema.yaml`
(not copied): such fields are checked as RECORDs (or, for the revenue fields, against the
spec's list) without their unknown sub-fields.
"""

from __future__ import annotations

import copy
import filecmp
import functools
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml

logger = logging.getLogger(__name__)

PROJECT_DIR = Path(__file__).resolve().parents[2]
REFERENCE_DIR = PROJECT_DIR / "tests" / "reference"
SCHEMAS_DIR = REFERENCE_DIR / "bigquery-etl-schemas"
SERVICE_SCHEMAS_DIR = REFERENCE_DIR / "service-subscriptions-schemas"
# an include names a table; its file is in one of these folders
REFERENCE_SCHEMA_DIRS = (SCHEMAS_DIR, SERVICE_SCHEMAS_DIR)
TABLE_PREFIX = "moz-fx-data-shared-prod."

# table in the warehouse (schema.table) -> reference schema file
DERIVED_TABLES = {
    f"subscription_platform_derived.{name}": f"{reference}.schema.yaml"
    for name, reference in {
        "stripe_logical_subscriptions_history_v1": "stripe_logical_subscriptions_history_v1",
        "apple_logical_subscriptions_history_v1": "apple_logical_subscriptions_history_v1",
        "google_logical_subscriptions_history_v1": "google_logical_subscriptions_history_v1",
        "logical_subscriptions_history_v1": "logical_subscriptions_history_v1",
        "daily_active_logical_subscriptions_v1": "daily_active_logical_subscriptions_v1",
        "monthly_active_logical_subscriptions_v1": "monthly_active_logical_subscriptions_v1",
        # the recent_* twins hold the same rows for the still-changing window
        "recent_daily_active_logical_subscriptions_v1": "daily_active_logical_subscriptions_v1",
        "recent_monthly_active_logical_subscriptions_v1": (
            "monthly_active_logical_subscriptions_v1"
        ),
        "logical_subscription_events_v1": "logical_subscription_events_v1",
        "service_subscriptions_history_v1": "service_subscriptions_history_v1",
        "daily_active_service_subscriptions_v1": "daily_active_service_subscriptions_v1",
        "monthly_active_service_subscriptions_v1": "monthly_active_service_subscriptions_v1",
        "recent_daily_active_service_subscriptions_v1": "daily_active_service_subscriptions_v1",
        "recent_monthly_active_service_subscriptions_v1": (
            "monthly_active_service_subscriptions_v1"
        ),
        "service_subscription_events_v1": "service_subscription_events_v1",
    }.items()
}
# views whose schema file resolves from the copied files alone (no revenue fields); Mozilla has
# no schema file for subscription_platform.service_subscriptions_history: the table's
PLAIN_VIEWS = {
    "subscription_platform.service_subscription_events": (
        "subscription_platform.service_subscription_events.schema.yaml"
    ),
    "subscription_platform.service_subscriptions_history": (
        "service_subscriptions_history_v1.schema.yaml"
    ),
}
VIEWS = {
    f"subscription_platform.{name}": f"subscription_platform.{name}.schema.yaml"
    for name in (
        "daily_active_logical_subscriptions",
        "monthly_active_logical_subscriptions",
        "daily_active_service_subscriptions",
        "monthly_active_service_subscriptions",
    )
}
# subscription_revenue_fields_schema.yaml is not published with the copied files: the revenue
# fields the spec (section 7) adds to the views' `subscription` struct, with their type family
REVENUE_FIELDS = {
    "country_vat_rate": "NUMERIC",
    "plan_amount_usd": "NUMERIC",
    "plan_currency_usd_exchange_rate": "NUMERIC",
    "current_period_discount_amount_usd": "NUMERIC",
    "ongoing_discount_amount_usd": "NUMERIC",
    "monthly_recurring_revenue": "NUMERIC",
    "monthly_recurring_revenue_usd": "NUMERIC",
    "annual_recurring_revenue": "NUMERIC",
    "annual_recurring_revenue_usd": "NUMERIC",
}
UNKNOWN = "UNKNOWN"  # sub-fields of a record whose schema file is not available

TYPE_FAMILIES = {
    "STRING": "STRING",
    "BYTES": "BYTES",
    "INTEGER": "INT",
    "INT64": "INT",
    "FLOAT": "FLOAT",
    "FLOAT64": "FLOAT",
    "NUMERIC": "NUMERIC",
    "BIGNUMERIC": "NUMERIC",
    "BOOLEAN": "BOOL",
    "BOOL": "BOOL",
    "TIMESTAMP": "TIMESTAMP",
    "DATE": "DATE",
    "DATETIME": "DATETIME",
    "RECORD": "RECORD",
    "STRUCT": "RECORD",
}
DUCKDB_FAMILIES = {
    "varchar": "STRING",
    "blob": "BYTES",
    "tinyint": "INT",
    "smallint": "INT",
    "integer": "INT",
    "bigint": "INT",
    "hugeint": "INT",
    "utinyint": "INT",
    "usmallint": "INT",
    "uinteger": "INT",
    "ubigint": "INT",
    "float": "FLOAT",
    "double": "FLOAT",
    "decimal": "NUMERIC",
    "boolean": "BOOL",
    "timestamp": "TIMESTAMP",
    "timestamp with time zone": "TIMESTAMP",
    "timestamp_ns": "TIMESTAMP",
    "timestamp_ms": "TIMESTAMP",
    "timestamp_s": "TIMESTAMP",
    "date": "DATE",
    "struct": "RECORD",
}


# --- the reference side: bigquery-etl schema.yaml with its include tags -------------------


@dataclass
class Tagged:
    """A YAML node carrying one of bigquery-etl's tags, resolved lazily."""

    tag: str
    value: Any


class _Loader(yaml.SafeLoader):
    pass


def _construct(loader: yaml.SafeLoader, node: yaml.Node) -> Tagged:
    if isinstance(node, yaml.MappingNode):
        value: Any = loader.construct_mapping(node, deep=True)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_scalar(node)
    return Tagged(node.tag, value)


for _tag in ("!include-fields", "!include-field", "!flatten-lists"):
    _Loader.add_constructor(_tag, _construct)


class UnresolvableInclude(LookupError):
    """An include names a table or file whose schema is not among the reference files."""


def _source_path(spec: dict[str, Any]) -> Path:
    if "table" in spec:
        table = spec["table"].removeprefix(TABLE_PREFIX)
        dataset, name = table.split(".")
        filename = f"{name}.schema.yaml"
        if dataset != "subscription_platform_derived":
            filename = f"{dataset}.{filename}"
    else:
        filename = Path(spec["file"]).name
    try:
        return reference_file(filename)
    except FileNotFoundError:
        raise UnresolvableInclude(spec.get("table") or spec["file"]) from None


def reference_file(filename: str) -> Path:
    """The copied reference schema file of that name, from whichever folder holds it."""
    for directory in REFERENCE_SCHEMA_DIRS:
        if (directory / filename).exists():
            return directory / filename
    raise FileNotFoundError(filename)


def load_fields(path: Path) -> list[dict[str, Any]]:
    """The fully resolved field list of one reference schema file (a copy: callers may edit)."""
    return copy.deepcopy(_resolved_fields(path))


@functools.cache
def _resolved_fields(path: Path) -> list[dict[str, Any]]:
    # cached: the service schemas include the logical ones dozens of times over
    document = yaml.load(path.read_text(), Loader=_Loader)  # noqa: S506 (SafeLoader subclass)
    return _resolve_list(document["fields"])


def _resolve_list(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, Tagged) and node.tag == "!include-fields":
        return _include_fields(node.value)
    if isinstance(node, Tagged) and node.tag == "!flatten-lists":
        # each part is a list of fields, an include of several, or a single field
        return [
            item
            for part in node.value
            for item in _resolve_list(part if _is_list_node(part) else [part])
        ]
    fields = []
    for item in node:
        if isinstance(item, Tagged) and item.tag == "!include-field":
            fields.append(_include_field(item.value))
        elif isinstance(item, Tagged):
            fields.extend(_resolve_list(item))
        else:
            fields.append(_resolve_plain(item))
    return fields


def _is_list_node(node: Any) -> bool:
    return isinstance(node, list) or (
        isinstance(node, Tagged) and node.tag in ("!include-fields", "!flatten-lists")
    )


def _resolve_plain(item: dict[str, Any]) -> dict[str, Any]:
    resolved = dict(item)
    if "fields" in item:
        resolved["fields"] = _resolve_list(item["fields"])
    return resolved


def _find(fields: list[dict[str, Any]], dotted: str) -> dict[str, Any]:
    head, _, rest = dotted.partition(".")
    matches = [item for item in fields if item["name"] == head]
    assert len(matches) == 1, f"reference field {head!r} not found once"
    if not rest:
        return matches[0]
    return _find(matches[0]["fields"], rest)


def _include_fields(spec: dict[str, Any]) -> list[dict[str, Any]]:
    fields = load_fields(_source_path(spec))
    if "parent_field" in spec:
        fields = _find(fields, spec["parent_field"])["fields"]
    if "field_names" in spec:
        fields = [_find(fields, name) for name in spec["field_names"]]
    excluded = set(spec.get("exclude_field_names", []))
    fields = [dict(item) for item in fields if item["name"] not in excluded]
    for replacement in spec.get("field_replacements", []):
        new = _include_field(replacement.value)
        fields = [new if item["name"] == new["name"] else item for item in fields]
    return fields


def _include_field(spec: dict[str, Any]) -> dict[str, Any]:
    name = spec.get("new_name") or spec["field"].split(".")[-1]
    try:
        found = dict(_find(load_fields(_source_path(spec)), spec["field"]))
    except UnresolvableInclude:
        # the attribution tables' schemas are not published with these files: a RECORD whose
        # own sub-fields are unknown (only the appended ones are)
        found = {"name": name, "type": "RECORD", "mode": "NULLABLE", "fields": UNKNOWN}
    found["name"] = name
    if "new_fields" in spec:
        found["fields"] = _resolve_list(spec["new_fields"])
    if "append_fields" in spec:
        appended = _resolve_list(spec["append_fields"])
        if found.get("fields") == UNKNOWN:
            found["appended_fields"] = appended
        else:
            found["fields"] = [*found["fields"], *appended]
    return found


# --- both sides as {dotted name: type family} ----------------------------------------------


def reference_shape(fields: list[dict[str, Any]], prefix: str = "") -> dict[str, str]:
    shape = {}
    for item in fields:
        name = prefix + item["name"]
        family = TYPE_FAMILIES[item["type"].upper()]
        if item.get("mode", "NULLABLE").upper() == "REPEATED":
            family = f"REPEATED {family}"
        shape[name] = family
        sub_fields = item.get("fields")
        if sub_fields == UNKNOWN:
            for appended in item.get("appended_fields", []):
                shape.update(reference_shape([appended], f"{name}."))
            shape[f"{name}.*"] = UNKNOWN
        elif sub_fields:
            shape.update(reference_shape(sub_fields, f"{name}."))
    return shape


def duckdb_shape(columns: list[tuple[str, Any]], prefix: str = "") -> dict[str, str]:
    shape = {}
    for column, column_type in columns:
        name = prefix + column
        repeated = ""
        while column_type.id == "list":
            repeated = "REPEATED "
            column_type = column_type.children[0][1]
        family = DUCKDB_FAMILIES.get(column_type.id, column_type.id.upper())
        shape[name] = repeated + family
        if column_type.id == "struct":
            shape.update(duckdb_shape(column_type.children, f"{name}."))
    return shape


def compare(expected: dict[str, str], actual: dict[str, str], open_ended: bool) -> list[str]:
    """Differences; sub-fields of records with unknown reference fields are not compared."""
    unknown = [name[:-1] for name, family in expected.items() if family == UNKNOWN]
    problems = []
    for name, family in expected.items():
        if family == UNKNOWN:
            continue
        if name not in actual:
            problems.append(f"missing {name} ({family})")
        elif actual[name] != family:
            problems.append(f"{name}: {actual[name]}, reference {family}")
    for name in actual:
        if name in expected or any(name.startswith(prefix) for prefix in unknown):
            continue
        if not open_ended:
            problems.append(f"extra {name} ({actual[name]})")
    return problems


@pytest.fixture(scope="module")
def warehouse(built_warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect(str(built_warehouse), read_only=True)
    yield connection
    connection.close()


def _actual(connection: duckdb.DuckDBPyConnection, relation: str) -> dict[str, str]:
    result = connection.sql(f"select * from {relation} limit 0")
    return duckdb_shape(list(zip(result.columns, result.types, strict=True)))


@pytest.mark.parametrize("relation", sorted(DERIVED_TABLES))
def test_derived_table_matches_reference_schema(
    warehouse: duckdb.DuckDBPyConnection, relation: str
) -> None:
    expected = reference_shape(load_fields(reference_file(DERIVED_TABLES[relation])))
    assert "subscription.id" in expected
    assert "subscription.services.tier" in expected or "subscription.service.tier" in expected
    problems = compare(expected, _actual(warehouse, relation), open_ended=False)
    assert not problems, f"{relation} differs from the reference schema:\n" + "\n".join(problems)


@pytest.mark.parametrize("relation", sorted(VIEWS))
def test_user_facing_view_matches_reference_schema(
    warehouse: duckdb.DuckDBPyConnection, relation: str
) -> None:
    # the views' own file includes subscription_revenue_fields_schema.yaml (not published
    # here): resolve the part from the derived table and add the spec's revenue fields
    document = yaml.load(reference_file(VIEWS[relation]).read_text(), Loader=_Loader)
    replacement = document["fields"].value["field_replacements"][0].value
    base_spec = replacement["new_fields"].value[0].value
    base = reference_shape(load_fields(_source_path(base_spec)))
    excluded = {f"subscription.{name}" for name in base_spec["exclude_field_names"]}
    expected = {
        name: family
        for name, family in base.items()
        if not any(name == drop or name.startswith(f"{drop}.") for drop in excluded)
    }
    expected.update({f"subscription.{name}": family for name, family in REVENUE_FIELDS.items()})
    actual = _actual(warehouse, relation)
    problems = compare(expected, actual, open_ended=False)
    assert not problems, f"{relation} differs from the reference schema:\n" + "\n".join(problems)


@pytest.mark.parametrize("relation", sorted(PLAIN_VIEWS))
def test_plain_view_matches_reference_schema(
    warehouse: duckdb.DuckDBPyConnection, relation: str
) -> None:
    expected = reference_shape(load_fields(reference_file(PLAIN_VIEWS[relation])))
    assert "subscription.service.id" in expected
    problems = compare(expected, _actual(warehouse, relation), open_ended=False)
    assert not problems, f"{relation} differs from the reference schema:\n" + "\n".join(problems)


def test_service_views_leave_out_first_touch_attribution() -> None:
    expected = reference_shape(
        load_fields(
            reference_file(PLAIN_VIEWS["subscription_platform.service_subscription_events"])
        )
    )
    assert "old_subscription.service_id" not in expected
    assert "subscription.last_touch_attribution" in expected
    assert not any("first_touch_attribution" in name for name in expected)


def test_resolver_detects_a_wrong_type_and_a_missing_field() -> None:
    expected = reference_shape(
        load_fields(SCHEMAS_DIR / "logical_subscriptions_history_v1.schema.yaml")
    )
    assert expected["subscription.plan_amount"] == "NUMERIC"
    assert expected["subscription.services"] == "REPEATED RECORD"
    assert expected["subscription.customer_subscription_number"] == "INT"
    assert expected["subscription.last_touch_attribution.channel_group"] == "STRING"
    actual = {name: family for name, family in expected.items() if family != UNKNOWN}
    actual["subscription.plan_amount"] = "FLOAT"
    del actual["subscription.ended_reason"]
    actual["subscription.extra"] = "STRING"
    problems = compare(expected, actual, open_ended=False)
    assert sorted(problems) == [
        "extra subscription.extra (STRING)",
        "missing subscription.ended_reason (STRING)",
        "subscription.plan_amount: FLOAT, reference NUMERIC",
    ]


def test_reference_copies_equal_their_source(shared_dir: Path) -> None:
    for copy_dir in REFERENCE_SCHEMA_DIRS:
        source = shared_dir / "reference" / copy_dir.name
        if not source.exists():
            pytest.skip(f"{source} absent (CI clones the repo alone)")
        copied = sorted(path.name for path in copy_dir.glob("*.yaml"))
        assert copied == sorted(path.name for path in source.glob("*.yaml"))
        _, mismatch, errors = filecmp.cmpfiles(source, copy_dir, copied, shallow=False)
        assert not mismatch and not errors, f"reference schemas drifted: {mismatch + errors}"
    spec = shared_dir / "spec" / "subscriptions.md"
    assert filecmp.cmp(spec, REFERENCE_DIR / "spec" / "subscriptions.md", shallow=False)
