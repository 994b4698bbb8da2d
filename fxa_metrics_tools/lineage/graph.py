"""Column graph of a dbt project: every column (and struct field) of every model, traced back
through its upstream models to raw sources and seeds, from dbt's `manifest.json` (compiled SQL)
and `catalog.json` (column names and types of built relations).

Per-model results are cached in `<target>/column_lineage_cache.json`, keyed by a hash of the
model's compiled SQL and the schemas of its inputs, so a repeated query only re-traces what changed.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

from sqlglot import exp

from fxa_metrics_tools.lineage.tracer import (
    LITERAL,
    ROWS,
    ColumnResult,
    Edge,
    LineageError,
    trace_query,
)

log = logging.getLogger(__name__)

CACHE_VERSION = "3"
CACHE_FILE = "column_lineage_cache.json"
EXPORT_FILE = "column_lineage.json"
RAW_TYPES = ("source", "seed")
# a source wins over a seed writing the same relation (demo data is loaded by seeds into the
# schemas the sources read), a model over both.
RESOLUTION_PRIORITY = {"model": 0, "snapshot": 1, "source": 2, "seed": 3}


@dataclass
class Relation:
    unique_id: str
    resource_type: str
    name: str  # model/seed name, or "<source_name>.<table>" for sources
    key: str  # "schema.identifier", lower case
    database: str = ""
    columns: dict[str, str] = field(default_factory=dict)  # name -> type ("" when unknown)
    column_source: str = ""  # catalog | manifest | csv | derived
    depends_on: list[str] = field(default_factory=list)
    compiled_sql: str | None = None
    path: str = ""
    loaded_by: str = ""  # seed unique_id that writes a source's relation

    @property
    def is_raw(self) -> bool:
        return self.resource_type in RAW_TYPES


@dataclass
class ModelLineage:
    unique_id: str
    columns: dict[str, ColumnResult]
    error: str = ""


@dataclass
class Project:
    target_dir: Path
    relations: dict[str, Relation]  # by unique_id
    by_key: dict[str, Relation]
    by_name: dict[str, Relation]
    manifest: dict

    def relation_for(self, sql_key: str) -> Relation | None:
        """Relation of a `db.schema.table` (or `schema.table`) reference in compiled SQL."""
        parts = sql_key.lower().split(".")
        return self.by_key.get(".".join(parts[-2:]))

    def upstream_models(self, unique_id: str) -> list[str]:
        """`unique_id` and all models above it, parents first."""
        order: list[str] = []
        seen: set[str] = set()

        def visit(uid: str) -> None:
            if uid in seen:
                return
            seen.add(uid)
            relation = self.relations.get(uid)
            if relation is None:
                return
            for parent in relation.depends_on:
                visit(parent)
            if relation.resource_type in ("model", "snapshot"):
                order.append(uid)

        visit(unique_id)
        return order

    def all_models(self) -> list[str]:
        order: list[str] = []
        seen: set[str] = set()
        for uid in sorted(self.relations):
            if self.relations[uid].resource_type in ("model", "snapshot"):
                for item in self.upstream_models(uid):
                    if item not in seen:
                        seen.add(item)
                        order.append(item)
        return order


def load_project(target_dir: Path) -> Project:
    """Read `manifest.json` (required, with compiled SQL) and `catalog.json` (optional)."""
    manifest_path = target_dir / "manifest.json"
    if not manifest_path.exists():
        raise LineageError(f"{manifest_path} missing: run `dbt compile` or `make build` first")
    manifest = json.loads(manifest_path.read_text())
    catalog_path = target_dir / "catalog.json"
    catalog = json.loads(catalog_path.read_text()) if catalog_path.exists() else {}
    catalog_entries = {**catalog.get("nodes", {}), **catalog.get("sources", {})}
    project_root = Path(manifest.get("metadata", {}).get("project_root", target_dir.parent) or ".")

    relations: dict[str, Relation] = {}
    for uid, node in manifest.get("nodes", {}).items():
        if node.get("resource_type") not in ("model", "seed", "snapshot"):
            continue
        relations[uid] = _relation(uid, node, node["name"], catalog_entries, project_root)
    for uid, source in manifest.get("sources", {}).items():
        name = f"{source['source_name']}.{source['name']}"
        relations[uid] = _relation(uid, source, name, catalog_entries, project_root)

    by_key: dict[str, Relation] = {}
    for relation in sorted(relations.values(), key=lambda r: RESOLUTION_PRIORITY[r.resource_type]):
        current = by_key.get(relation.key)
        if current is None:
            by_key[relation.key] = relation
        elif current.resource_type == "source" and relation.resource_type == "seed":
            current.loaded_by = relation.unique_id
            if not current.columns:
                current.columns, current.column_source = relation.columns, relation.column_source
    by_name: dict[str, Relation] = {}
    for relation in relations.values():
        by_name.setdefault(relation.name.lower(), relation)
    return Project(target_dir, relations, by_key, by_name, manifest)


def _relation(uid: str, node: dict, name: str, catalog: dict, project_root: Path) -> Relation:
    identifier = node.get("alias") or node.get("identifier") or node["name"]
    key = f"{node['schema']}.{identifier}".lower()
    columns: dict[str, str] = {}
    column_source = ""
    entry = catalog.get(uid)
    if entry:
        ordered = sorted(entry.get("columns", {}).values(), key=lambda c: c.get("index", 0))
        columns = {c["name"].lower(): c.get("type") or "" for c in ordered}
        column_source = "catalog"
    if not columns and node.get("resource_type") == "seed":
        csv_path = project_root / node.get("original_file_path", "")
        if csv_path.is_file():
            with csv_path.open(newline="") as handle:
                header = next(csv.reader(handle), [])
            columns = {c.strip().lower(): "" for c in header if c.strip()}
            column_source = "csv"
    if not columns and node.get("resource_type") in ("source", "seed") and node.get("columns"):
        columns = {c.lower(): (v.get("data_type") or "") for c, v in node["columns"].items()}
        column_source = "manifest"
    depends = node.get("depends_on", {}).get("nodes", []) if "depends_on" in node else []
    return Relation(
        unique_id=uid,
        resource_type=node["resource_type"],
        name=name,
        key=key,
        database=(node.get("database") or "").lower(),
        columns=columns,
        column_source=column_source,
        depends_on=list(depends),
        compiled_sql=node.get("compiled_code") or node.get("compiled_sql"),
        path=node.get("original_file_path", ""),
    )


@lru_cache(maxsize=4096)
def struct_field_paths(type_text: str) -> tuple[str, ...] | None:
    """Nested field paths of a DuckDB STRUCT type string; None when not a struct."""
    if not type_text or not type_text.strip().upper().startswith("STRUCT"):
        return None
    try:
        data_type = exp.DataType.build(type_text, dialect="duckdb")
    except Exception:  # noqa: BLE001 - an unparsable type only loses its field list
        log.debug("cannot parse type %s", type_text)
        return None
    return tuple(_fields_of(data_type))


def _fields_of(data_type: exp.DataType) -> list[str]:
    paths: list[str] = []
    for column_def in data_type.expressions:
        if not isinstance(column_def, exp.ColumnDef):
            continue
        name = column_def.name.lower()
        paths.append(name)
        kind = column_def.args.get("kind")
        if isinstance(kind, exp.DataType) and kind.this == exp.DataType.Type.STRUCT:
            paths.extend(f"{name}.{sub}" for sub in _fields_of(kind))
    return paths


# -- tracing models ---------------------------------------------------------------------------


class GraphBuilder:
    """Traces models (parents first) and keeps their results; uses and refreshes the cache."""

    def __init__(self, project: Project, use_cache: bool = True) -> None:
        self.project = project
        self.use_cache = use_cache
        self.cache_path = project.target_dir / CACHE_FILE
        self.cache: dict[str, dict] = {}
        if use_cache and self.cache_path.exists():
            try:
                data = json.loads(self.cache_path.read_text())
                if data.get("version") == CACHE_VERSION:
                    self.cache = data.get("models", {})
            except json.JSONDecodeError:
                log.warning("ignoring unreadable cache %s", self.cache_path)
        self.results: dict[str, ModelLineage] = {}
        self.cache_dirty = False

    def trace_models(self, unique_ids: Iterable[str]) -> None:
        for uid in unique_ids:
            if uid not in self.results:
                self.results[uid] = self._trace_model(uid)
        if self.use_cache and self.cache_dirty:
            payload = {"version": CACHE_VERSION, "models": self.cache}
            self.cache_path.write_text(json.dumps(payload))
            self.cache_dirty = False

    def _input_schema(self, relation: Relation) -> tuple[dict, dict[str, dict[str, str]]]:
        nested: dict = {}
        flat: dict[str, dict[str, str]] = {}
        for parent_id in relation.depends_on:
            parent = self.project.relations.get(parent_id)
            if parent is None:
                continue
            columns = self._columns_of(parent)
            flat[parent.key] = columns
            if not columns:
                continue  # unknown schema: its columns stay unqualified and are reported
            schema_name, table = parent.key.split(".", 1)
            # types are not needed to qualify; DuckDB's nested type strings need not parse
            nested.setdefault(parent.database, {}).setdefault(schema_name, {})[table] = {
                c: "UNKNOWN" for c in columns
            }
        return nested, flat

    def _columns_of(self, relation: Relation) -> dict[str, str]:
        if relation.columns:
            return relation.columns
        result = self.results.get(relation.unique_id)
        if result is not None:
            return {c: "" for c in result.columns if "." not in c}
        return {}

    def _field_lookup_for(self, flat: dict[str, dict[str, str]]):  # noqa: ANN202
        def lookup(sql_key: str, column: str) -> list[str] | None:
            parent = self.project.relation_for(sql_key)
            if parent is None:
                return None
            type_text = flat.get(parent.key, {}).get(column, "")
            fields = struct_field_paths(type_text)
            if fields is not None:
                return list(fields)
            result = self.results.get(parent.unique_id)
            if result is not None:
                prefix = f"{column}."
                derived = [c[len(prefix) :] for c in result.columns if c.startswith(prefix)]
                return derived or None
            return None

        return lookup

    def _trace_model(self, uid: str) -> ModelLineage:
        relation = self.project.relations[uid]
        if not relation.compiled_sql:
            return ModelLineage(uid, {}, "no compiled SQL in manifest (run dbt compile)")
        nested, flat = self._input_schema(relation)
        # the struct fields of inputs come from their types (or traces): part of the cache key
        parent_fields = {
            key: {c: self._field_lookup_for(flat)(key, c) for c in cols}
            for key, cols in flat.items()
        }
        digest = hashlib.sha256(
            json.dumps(
                [CACHE_VERSION, relation.compiled_sql, parent_fields], sort_keys=True
            ).encode()
        ).hexdigest()
        cached = self.cache.get(uid)
        if cached and cached.get("key") == digest:
            return _model_from_json(uid, cached)
        try:
            columns = trace_query(
                relation.compiled_sql,
                nested,
                field_lookup=self._field_lookup_for(flat),
            )
            model = ModelLineage(uid, columns)
        except LineageError as error:
            log.warning("%s: %s", relation.name, error)
            model = ModelLineage(uid, {}, str(error))
        self.cache[uid] = {"key": digest, **_model_to_json(model)}
        self.cache_dirty = True
        return model


def _model_to_json(model: ModelLineage) -> dict:
    return {"error": model.error, "columns": {k: asdict(v) for k, v in model.columns.items()}}


def _model_from_json(uid: str, data: dict) -> ModelLineage:
    columns = {}
    for name, value in data.get("columns", {}).items():
        edges = [Edge(**edge) for edge in value.get("edges", [])]
        columns[name] = ColumnResult(
            value["column"], edges, value.get("literals", []), value.get("unresolved", [])
        )
    return ModelLineage(uid, columns, data.get("error", ""))


# -- the column graph -------------------------------------------------------------------------


@dataclass
class GraphEdge:
    upstream: str  # node id
    downstream: str
    kind: str
    expression: str = ""
    function: str = ""
    via: list[str] = field(default_factory=list)


@dataclass
class ColumnGraph:
    project: Project
    nodes: dict[str, dict]  # id -> node attributes
    parents: dict[str, list[GraphEdge]]  # downstream id -> edges to its parents
    literals: dict[str, list[str]]
    unresolved: dict[str, list[str]]

    def node_id(self, relation: Relation, column: str) -> str:
        return f"{relation.unique_id}:{column}"

    def resolve_name(self, dotted: str) -> str:
        """`model.column[.field]` or `source_name.table.column` -> node id."""
        parts = dotted.lower().split(".")
        for size in (1, 2):
            relation = self.project.by_name.get(".".join(parts[:size]))
            if relation is not None and len(parts) > size:
                node_id = self.node_id(relation, ".".join(parts[size:]))
                if node_id in self.nodes:
                    return node_id
                known = sorted(
                    n["column"] for n in self.nodes.values() if n["unique_id"] == relation.unique_id
                )
                raise LineageError(
                    f"{relation.name} has no column {'.'.join(parts[size:])}; "
                    f"known: {', '.join(known[:60])}"
                )
        raise LineageError(f"no model, seed or source named like {dotted!r}")

    def leaves(self, node_id: str) -> tuple[set[str], set[str], set[str]]:
        """Raw columns, literals and gaps (reasons) at the bottom of a node's lineage."""
        raw: set[str] = set()
        literals: set[str] = set()
        gaps: set[str] = set()
        seen: set[str] = set()
        stack = [node_id]
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            node = self.nodes.get(current)
            if node is None:
                gaps.add(f"{current}: no such column upstream")
                continue
            if node["resource_type"] in RAW_TYPES:
                raw.add(current)
                continue
            literals.update(self.literals.get(current, []))
            gaps.update(f"{self.display(current)}: {r}" for r in self.unresolved.get(current, []))
            for edge in self.parents.get(current, []):
                stack.append(edge.upstream)
            if not self.parents.get(current) and not self.literals.get(current):
                if not self.unresolved.get(current):
                    gaps.add(f"{self.display(current)}: no upstream column")
        return raw, literals, gaps

    def display(self, node_id: str) -> str:
        node = self.nodes.get(node_id)
        if node is None:
            uid, _, column = node_id.partition(":")
            return f"{uid.split('.')[-1]}.{column}"
        return f"{node['name']}.{node['column']}"

    def to_json(self) -> dict:
        nodes = sorted(self.nodes.values(), key=lambda n: n["id"])
        edges = [
            {
                "from": e.upstream,
                "to": e.downstream,
                "kind": e.kind,
                "expression": e.expression,
                "function": e.function,
                "via": e.via,
            }
            for key in sorted(self.parents)
            for e in self.parents[key]
        ]
        literals = [
            {"to": key, "kind": LITERAL, "expression": value}
            for key in sorted(self.literals)
            for value in self.literals[key]
        ]
        unresolved = [
            {"node": key, "reason": value}
            for key in sorted(self.unresolved)
            for value in self.unresolved[key]
        ]
        return {
            "description": (
                "Column-level lineage of the fxa_metrics dbt project. Nodes are (relation, "
                "column path) pairs; struct fields are paths like subscription.auto_renew; "
                "`*` stands for a relation's rows (count(*)). Edges run upstream -> downstream, "
                "kind is passed_through, renamed, expression, window or aggregate (the "
                "strongest step inside the model; `via` lists the steps through CTEs)."
            ),
            "nodes": nodes,
            "edges": edges,
            "literals": literals,
            "unresolved": unresolved,
        }


def build_graph(
    project: Project, models: list[str] | None = None, use_cache: bool = True
) -> ColumnGraph:
    """The column graph of `models` (default: all) and everything upstream of them."""
    if models is None:
        order = project.all_models()
    else:
        order = []
        for uid in models:
            for item in project.upstream_models(uid):
                if item not in order:
                    order.append(item)
    builder = GraphBuilder(project, use_cache)
    builder.trace_models(order)

    nodes: dict[str, dict] = {}
    parents: dict[str, list[GraphEdge]] = {}
    literals: dict[str, list[str]] = {}
    unresolved: dict[str, list[str]] = {}

    def add_node(relation: Relation, column: str) -> str:
        node_id = f"{relation.unique_id}:{column}"
        if node_id not in nodes:
            nodes[node_id] = {
                "id": node_id,
                "unique_id": relation.unique_id,
                "resource_type": relation.resource_type,
                "name": relation.name,
                "relation": relation.key,
                "column": column,
                **({"loaded_by": relation.loaded_by} if relation.loaded_by else {}),
            }
        return node_id

    for uid in order:
        relation = project.relations[uid]
        model = builder.results[uid]
        if model.error:
            node_id = add_node(relation, "")
            unresolved[node_id] = [model.error]
            continue
        for column, result in model.columns.items():
            node_id = add_node(relation, column)
            if result.literals:
                literals[node_id] = list(result.literals)
            if result.unresolved:
                unresolved[node_id] = list(result.unresolved)
            for edge in result.edges:
                parent = project.relation_for(edge.relation)
                if parent is None:
                    unresolved.setdefault(node_id, []).append(
                        f"reads {edge.relation}.{edge.column}, not a dbt model, seed or source"
                    )
                    continue
                if parent.is_raw:
                    upstream_id = add_node(parent, edge.column)
                else:
                    upstream_id = f"{parent.unique_id}:{edge.column}"
                parents.setdefault(node_id, []).append(
                    GraphEdge(
                        upstream_id, node_id, edge.kind, edge.expression, edge.function, edge.via
                    )
                )
    # upstream columns that the upstream model does not produce: a gap, named
    for node_id, edges in parents.items():
        for edge in edges:
            if edge.upstream not in nodes:
                unresolved.setdefault(node_id, []).append(
                    f"upstream column {edge.upstream} not produced by its model"
                )
    return ColumnGraph(project, nodes, parents, literals, unresolved)


def export_graph(graph: ColumnGraph, path: Path) -> dict:
    data = graph.to_json()
    models = [
        n
        for n in graph.nodes.values()
        if n["resource_type"] == "model" and n["column"] and n["column"] != ROWS
    ]
    resolved = 0
    for node in models:
        raw, lits, gaps = graph.leaves(node["id"])
        if (raw or lits) and not gaps:
            resolved += 1
    data["summary"] = {
        "model_columns": len(models),
        "fully_resolved": resolved,
        "share_fully_resolved": round(resolved / len(models), 4) if models else None,
    }
    path.write_text(json.dumps(data, indent=1))
    return data["summary"]


__all__ = [
    "ROWS",
    "ColumnGraph",
    "GraphEdge",
    "Project",
    "Relation",
    "build_graph",
    "export_graph",
    "load_project",
    "struct_field_paths",
]
