"""`make bigquery-check` (fxa_metrics_tools.bigquery_check): Google's analyzer reports statements
BigQuery would reject, a model's resolved output schema is what downstream SQL resolves against,
and the catalog is built from the project's declared column types.

The whole project is analyzed by `make bigquery-check` itself (a prerequisite of `make test`);
these tests prove the check can fail, on small hand-made manifests.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from fxa_metrics_tools import bigquery_check as bc

PROJECT_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def analyzer() -> Any:
    if not (bc.SERVER_DIR / "remote_server.so").exists():
        pytest.fail("the ZetaSQL analyzer is not installed: run `make zetasql-setup`")
    with bc.analyzer_server() as stub:
        yield stub, bc.bigquery_analyzer_options(stub)


def relation(name: str) -> str:
    return f"`proj`.`ds`.`{name}`"


def source(name: str, columns: dict[str, str | None]) -> dict[str, Any]:
    return {
        "unique_id": f"source.p.raw.{name}",
        "resource_type": "source",
        "relation_name": relation(name),
        "original_file_path": "models/raw.yml",
        "columns": {c: {"name": c, "data_type": t} for c, t in columns.items()},
    }


def node(kind: str, name: str, sql: str, parents: list[str]) -> dict[str, Any]:
    return {
        "unique_id": f"{kind}.p.{name}",
        "resource_type": kind,
        "relation_name": relation(name) if kind == "model" else None,
        "compiled_code": sql,
        "depends_on": {"nodes": parents},
        "config": {},
    }


def manifest(sources: list[dict[str, Any]], nodes: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "sources": {s["unique_id"]: s for s in sources},
        "nodes": {n["unique_id"]: n for n in nodes},
    }


def run(analyzer: Any, project: dict[str, Any]) -> tuple[bc.Report, bc.Catalog]:
    stub, options = analyzer
    report = bc.Report()
    catalog = bc.declared_catalog(project)
    bc.check_manifest(stub, options, project, catalog, "fresh", report)
    return report, catalog


EVENTS = source(
    "events",
    {
        "id": "STRING",
        "seen_at": "TIMESTAMP",
        "services": "ARRAY<STRUCT<id STRING, tier STRING>>",
        "jsonPayload__fields__user_id": "STRING",
    },
)


def test_known_bad_statements_are_reported(analyzer: Any) -> None:
    good = node(
        "model",
        "good",
        "select id, seen_at, jsonPayload.fields.user_id as user_id, array_length(services) as n\n"
        f"from {relation('events')}",
        [EVENTS["unique_id"]],
    )
    # the three genuine errors the analyzer found in the project (issue 12), in miniature
    least_mixed = node(
        "model",
        "least_mixed",
        "select least(datetime_add(cast(seen_at as datetime), interval -1 microsecond),\n"
        f"  current_timestamp(), seen_at) as last_at from {relation('events')}",
        [EVENTS["unique_id"]],
    )
    agg_in_unnest = node(
        "model",
        "agg_in_unnest",
        "select id, (select c from unnest(array_agg(user_id order by seen_at)) as c limit 1) as u\n"
        f"from {relation('good')} group by id",
        [good["unique_id"]],
    )
    length_of_array = node(
        "test",
        "length_of_array",
        f"select * from {relation('good')} where n != length(id) and length([id]) > 1",
        [good["unique_id"]],
    )
    downstream = node(
        "model",
        "downstream",
        f"select * from {relation('least_mixed')}",
        [least_mixed["unique_id"]],
    )
    project = manifest([EVENTS], [good, least_mixed, agg_in_unnest, length_of_array, downstream])
    report, catalog = run(analyzer, project)

    by_node = {f.node: f for f in report.failures}
    assert report.analyzed == 5
    assert set(by_node) == {
        "model.p.least_mixed",
        "model.p.agg_in_unnest",
        "test.p.length_of_array",
        "model.p.downstream",
    }
    assert "No matching signature for function LEAST" in by_node["model.p.least_mixed"].message
    assert "DATETIME, TIMESTAMP, TIMESTAMP" in by_node["model.p.least_mixed"].message
    assert "least(datetime_add" in by_node["model.p.least_mixed"].fragment
    assert "ARRAY_AGG not allowed in UNNEST" in by_node["model.p.agg_in_unnest"].message
    assert "LENGTH for argument types: ARRAY<STRING>" in by_node["test.p.length_of_array"].message
    assert "model.p.least_mixed" in by_node["model.p.downstream"].message
    assert report.summary() == "bigquery-check: 5 analyzed, 4 errors"
    # the good model's output schema, as resolved, is in the catalog for downstream models
    columns = {name: bc.type_sql(t) for name, t in catalog.get(("proj", "ds", "good")) or []}
    assert columns == {"id": "STRING", "seen_at": "TIMESTAMP", "user_id": "STRING", "n": "INT64"}


def test_downstream_types_come_from_the_resolved_schema(analyzer: Any) -> None:
    upstream = node(
        "model", "counts", f"select id, count(*) as n from {relation('events')} group by id", []
    )
    upstream["depends_on"]["nodes"] = [EVENTS["unique_id"]]
    # n is INT64 downstream: SUBSTR of it is a BigQuery error
    concat_int = node(
        "model", "labels", f"select substr(n, 1) as label from {relation('counts')}", []
    )
    concat_int["depends_on"]["nodes"] = [upstream["unique_id"]]
    report, _ = run(analyzer, manifest([EVENTS], [upstream, concat_int]))
    assert [f.node for f in report.failures] == ["model.p.labels"]
    assert "SUBSTR for argument types: INT64, INT64" in report.failures[0].message


def test_bigquery_integer_aliases_are_the_only_allowance(analyzer: Any) -> None:
    aliases = node(
        "model",
        "aliases",
        f"select cast(id as bigint) as a, cast(id as integer) as b from {relation('events')}",
        [EVENTS["unique_id"]],
    )
    duckdb_type = node(
        "model", "duckdb_type", f"select cast(id as varchar) as a from {relation('events')}", []
    )
    duckdb_type["depends_on"]["nodes"] = [EVENTS["unique_id"]]
    report, _ = run(analyzer, manifest([EVENTS], [aliases, duckdb_type]))
    assert [f.node for f in report.failures] == ["model.p.duckdb_type"]
    assert "Type not found: varchar" in report.failures[0].message


def test_a_source_column_without_a_type_is_a_setup_error() -> None:
    untyped = source("untyped", {"id": "STRING", "amount": None})
    with pytest.raises(bc.CheckSetupError, match=r"source.p.raw.untyped: column 'amount'"):
        bc.declared_catalog(manifest([untyped], []))


def test_seed_column_types_stand_in_for_an_undeclared_source_type() -> None:
    untyped = source("untyped", {"id": "STRING", "amount": None, "rate": None})
    seed = {
        "unique_id": "seed.p.untyped",
        "resource_type": "seed",
        "relation_name": relation("untyped"),
        "original_file_path": "seeds/untyped.csv",
        "config": {"column_types": {"amount": "bigint", "rate": "decimal(8, 6)"}},
        "columns": {},
    }
    catalog = bc.declared_catalog(manifest([untyped], [seed]))
    columns = {name: bc.type_sql(t) for name, t in catalog.get(("proj", "ds", "untyped")) or []}
    assert columns == {"id": "STRING", "amount": "INT64", "rate": "NUMERIC"}


def test_flattened_names_become_nested_structs() -> None:
    nested = bc.nest_flattened(
        [("a", "STRING"), ("m__s__x", "INT64"), ("m__s__y", "BOOL"), ("m__t", "DATE")]
    )
    assert [(name, bc.type_sql(t)) for name, t in nested] == [
        ("a", "STRING"),
        ("m", "STRUCT<s STRUCT<x INT64, y BOOL>, t DATE>"),
    ]
    with pytest.raises(bc.CheckSetupError, match="both a column and a struct"):
        bc.nest_flattened([("m", "STRING"), ("m__x", "INT64")])


def test_type_names_round_trip() -> None:
    for text in ["STRING", "ARRAY<STRUCT<id STRING, n ARRAY<INT64>>>", "NUMERIC", "DATETIME"]:
        assert bc.type_sql(bc.parse_type(text)) == text
    assert bc.type_sql(bc.parse_type("numeric(38, 9)")) == "NUMERIC"
    with pytest.raises(ValueError, match="unknown BigQuery type 'VARCHAR'"):
        bc.parse_type("varchar")


def declared_columns(path: Path, kind: str) -> list[tuple[str, str, Any]]:
    document = yaml.safe_load(path.read_text())
    rows = []
    for entry in document.get(kind) or []:
        tables = entry.get("tables", []) if kind == "sources" else [entry]
        for table in tables:
            for column in table.get("columns") or []:
                rows.append((f"{entry['name']}.{table['name']}", column["name"], column))
    return rows


def test_every_source_and_reference_seed_column_declares_its_bigquery_type() -> None:
    """The data contract a Fivetran user reads: a BigQuery type on every raw column (Stripe is
    declared with its Fivetran schema in models/staging/stripe, or falls back to the seeds)."""
    files = [
        (p, "sources")
        for p in sorted((PROJECT_DIR / "models" / "staging").glob("*/_*__sources.yml"))
        if p.parent.name != "stripe"
    ] + [(p, "seeds") for p in sorted((PROJECT_DIR / "seeds" / "reference").glob("*.yml"))]
    assert len(files) >= 7
    missing, bad = [], []
    for path, kind in files:
        for table, name, column in declared_columns(path, kind):
            if not column.get("data_type"):
                missing.append(f"{path.relative_to(PROJECT_DIR)}: {table}.{name}")
                continue
            try:
                bc.parse_type(column["data_type"])
            except ValueError as error:
                bad.append(f"{path.relative_to(PROJECT_DIR)}: {table}.{name}: {error}")
    assert not missing, "columns without data_type:\n" + "\n".join(missing)
    assert not bad, "\n".join(bad)


def test_a_resolved_tree_too_deep_to_decode_passes_a_test_and_fails_a_model(
    analyzer: Any,
) -> None:
    """A 60-term addition chain: ZetaSQL accepts it, but its resolved tree is nested deeper
    than protobuf's decoding limit. A data test needs no output schema; a model does."""
    deep = " + ".join(f"(case when n > {i} then {i} else 0 end)" for i in range(60))
    sql = f"select {deep} as total from (select 1 as n)"
    # the analyzer still rejects bad SQL of the same depth: depth is not a pass
    bad = sql.replace("then 0", "then 'zero'")
    report, _ = run(
        analyzer,
        manifest(
            [],
            [
                node("test", "deep_test", sql, []),
                node("model", "deep_model", sql, []),
                node("test", "deep_bad_test", bad.replace("then 1 ", "then 'one' "), []),
            ],
        ),
    )
    failed = {f.node: f.message for f in report.failures}
    assert "test.p.deep_test" not in failed
    assert "resolved tree is too deep" in failed["model.p.deep_model"]
    assert "test.p.deep_bad_test" in failed
    assert "too deep" not in failed["test.p.deep_bad_test"]
