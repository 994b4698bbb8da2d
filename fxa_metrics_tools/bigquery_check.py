"""Check the BigQuery compile with Google's SQL analyzer (ZetaSQL, the GoogleSQL frontend).

Usage (after `make bigquery-compile`; `make bigquery-check` does both and installs the analyzer)::

    python -m fxa_metrics_tools.bigquery_check target_bigquery target_bigquery_incremental

Every model and data test of each compile (manifest.json) is analyzed in DAG order against a
catalog built from the project's declarations: each source and seed column's `data_type` (a
source column without one takes the `column_types` of the demo seed loaded at the same
relation; `a__b__c` names are the flattened form of nested BigQuery fields and become STRUCTs),
then each model's output schema as the analyzer resolved it, so that downstream SQL resolves
against real types. One line per failure (node, analyzer message, SQL fragment), last line
`bigquery-check: N analyzed, E errors`; exit status 1 on any error.

The analyzer is the local gRPC service shipped in the npm package @fivetrandevelopers/zetasql
(installed into .zetasql/ by the Makefile, Python stubs generated there with grpcio-tools).
"""

from __future__ import annotations

import argparse
import functools
import json
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parents[1]
ZETASQL_DIR = PROJECT_DIR / ".zetasql"
SERVER_DIR = ZETASQL_DIR / "node_modules" / "@fivetrandevelopers" / "zetasql" / "lib" / "zetasql"
STUBS_DIR = ZETASQL_DIR / "py"
# BigQuery evaluates timestamp functions in UTC unless told otherwise
DEFAULT_TIMEZONE = "UTC"

# column_types of the DuckDB seeds -> BigQuery type (used where a source declares no data_type)
DUCKDB_TO_BIGQUERY = {
    "varchar": "STRING",
    "string": "STRING",
    "text": "STRING",
    "integer": "INT64",
    "int": "INT64",
    "bigint": "INT64",
    "smallint": "INT64",
    "double": "FLOAT64",
    "float": "FLOAT64",
    "boolean": "BOOL",
    "bool": "BOOL",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
    "timestamptz": "TIMESTAMP",
    "timestamp with time zone": "TIMESTAMP",
    "json": "JSON",
}
DUCKDB_DECIMAL = re.compile(r"^(decimal|numeric)\s*(\(\s*(\d+)\s*,\s*(\d+)\s*\))?$")


# The allow-list: BigQuery features the open-source analyzer lacks, each with BigQuery's docs.
# Integer type aliases: BigQuery accepts INT, SMALLINT, INTEGER, BIGINT, TINYINT and BYTEINT for
# INT64 (https://cloud.google.com/bigquery/docs/reference/standard-sql/data-types#integer_types);
# ZetaSQL knows only INT64, so they are registered as named types of the catalog. Nothing else
# is skipped.
BIGQUERY_TYPE_ALIASES = {
    alias: "INT64" for alias in ("int", "smallint", "integer", "bigint", "tinyint", "byteint")
}


class CheckSetupError(RuntimeError):
    """The analyzer or the catalog cannot be set up (missing install, undeclared type)."""


@functools.cache
def _pb() -> Any:
    """The generated protobuf modules (imported lazily: they live in the git-ignored .zetasql/)."""
    if not (STUBS_DIR / "local_service_pb2.py").exists():
        raise CheckSetupError(
            f"no ZetaSQL Python stubs in {STUBS_DIR}: run `make bigquery-check` (it installs them)"
        )
    if str(STUBS_DIR) not in sys.path:
        sys.path.insert(0, str(STUBS_DIR))
    import local_service_pb2
    import local_service_pb2_grpc
    from zetasql.proto import options_pb2, simple_catalog_pb2
    from zetasql.public import options_pb2 as public_options_pb2
    from zetasql.public import simple_table_pb2, type_pb2, value_pb2

    class Modules:
        ls = local_service_pb2
        grpc = local_service_pb2_grpc
        options = options_pb2
        public_options = public_options_pb2
        catalog = simple_catalog_pb2
        table = simple_table_pb2
        type = type_pb2
        value = value_pb2

    return Modules


# --- BigQuery type names <-> TypeProto ---------------------------------------------------------

SCALAR_KINDS = {
    "STRING": "TYPE_STRING",
    "INT64": "TYPE_INT64",
    "INTEGER": "TYPE_INT64",
    "INT": "TYPE_INT64",
    "BIGINT": "TYPE_INT64",
    "FLOAT64": "TYPE_DOUBLE",
    "FLOAT": "TYPE_DOUBLE",
    "BOOL": "TYPE_BOOL",
    "BOOLEAN": "TYPE_BOOL",
    "NUMERIC": "TYPE_NUMERIC",
    "DECIMAL": "TYPE_NUMERIC",
    "BIGNUMERIC": "TYPE_BIGNUMERIC",
    "BIGDECIMAL": "TYPE_BIGNUMERIC",
    "DATE": "TYPE_DATE",
    "DATETIME": "TYPE_DATETIME",
    "TIME": "TYPE_TIME",
    "TIMESTAMP": "TYPE_TIMESTAMP",
    "BYTES": "TYPE_BYTES",
    "JSON": "TYPE_JSON",
    "INTERVAL": "TYPE_INTERVAL",
    "GEOGRAPHY": "TYPE_GEOGRAPHY",
}


def parse_type(text: str) -> Any:
    """A BigQuery type name (`STRING`, `ARRAY<STRUCT<a INT64, b STRING>>`, ...) as a TypeProto."""
    tokens = re.findall(r"[A-Za-z_][A-Za-z_0-9]*|<|>|,|\(|\)|\d+", text)
    position = 0

    def expect(token: str) -> None:
        nonlocal position
        if position >= len(tokens) or tokens[position] != token:
            raise ValueError(f"type {text!r}: expected {token!r} at token {position}")
        position += 1

    def one() -> Any:
        nonlocal position
        pb = _pb()
        if position >= len(tokens):
            raise ValueError(f"type {text!r} ends early")
        name = tokens[position].upper()
        position += 1
        if name == "ARRAY":
            expect("<")
            element = one()
            expect(">")
            return pb.type.TypeProto(
                type_kind=pb.type.TYPE_ARRAY, array_type={"element_type": element}
            )
        if name == "STRUCT":
            expect("<")
            fields = []
            while True:
                field_name = tokens[position]
                position += 1
                fields.append({"field_name": field_name, "field_type": one()})
                if tokens[position] == ",":
                    position += 1
                    continue
                expect(">")
                break
            return pb.type.TypeProto(type_kind=pb.type.TYPE_STRUCT, struct_type={"field": fields})
        if name not in SCALAR_KINDS:
            raise ValueError(f"type {text!r}: unknown BigQuery type {name!r}")
        if position < len(tokens) and tokens[position] == "(":  # NUMERIC(38, 9), STRING(10)
            while tokens[position] != ")":
                position += 1
            position += 1
        return pb.type.TypeProto(type_kind=getattr(pb.type, SCALAR_KINDS[name]))

    result = one()
    if position != len(tokens):
        raise ValueError(f"type {text!r}: unexpected {tokens[position]!r}")
    return result


def type_sql(type_proto: Any) -> str:
    """A TypeProto written as a BigQuery type name (for messages and tests)."""
    pb = _pb()
    kind = type_proto.type_kind
    if kind == pb.type.TYPE_ARRAY:
        return f"ARRAY<{type_sql(type_proto.array_type.element_type)}>"
    if kind == pb.type.TYPE_STRUCT:
        inner = ", ".join(
            f"{f.field_name} {type_sql(f.field_type)}" for f in type_proto.struct_type.field
        )
        return f"STRUCT<{inner}>"
    names = {getattr(pb.type, v): k for k, v in SCALAR_KINDS.items()}
    names[pb.type.TYPE_INT64] = "INT64"
    names[pb.type.TYPE_DOUBLE] = "FLOAT64"
    names[pb.type.TYPE_BOOL] = "BOOL"
    names[pb.type.TYPE_NUMERIC] = "NUMERIC"
    names[pb.type.TYPE_BIGNUMERIC] = "BIGNUMERIC"
    return names.get(kind, pb.type.TypeKind.Name(kind))


def duckdb_type_to_bigquery(duckdb_type: str) -> str:
    """A seed `column_types` entry (DuckDB spelling) as a BigQuery type name."""
    key = duckdb_type.strip().lower()
    if key in DUCKDB_TO_BIGQUERY:
        return DUCKDB_TO_BIGQUERY[key]
    decimal = DUCKDB_DECIMAL.match(key)
    if decimal:
        precision = int(decimal.group(3) or 18)
        scale = int(decimal.group(4) or 3)
        return "NUMERIC" if precision - scale <= 29 and scale <= 9 else "BIGNUMERIC"
    raise CheckSetupError(f"no BigQuery type for the DuckDB seed column type {duckdb_type!r}")


def nest_flattened(columns: list[tuple[str, str]]) -> list[tuple[str, Any]]:
    """[(name, type)] with `a__b__c` names grouped into STRUCT columns, as BigQuery lands them."""
    pb = _pb()
    tree: dict[str, Any] = {}
    for name, type_name in columns:
        parts = name.split("__")
        node = tree
        for part in parts[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise CheckSetupError(f"column {name!r}: {part!r} is both a column and a struct")
            node = child
        if parts[-1] in node:
            raise CheckSetupError(f"column {name!r} declared twice or also used as a struct")
        node[parts[-1]] = parse_type(type_name)

    def build(node: dict[str, Any]) -> Any:
        fields = [
            {"field_name": key, "field_type": build(value) if isinstance(value, dict) else value}
            for key, value in node.items()
        ]
        return pb.type.TypeProto(type_kind=pb.type.TYPE_STRUCT, struct_type={"field": fields})

    return [
        (key, build(value) if isinstance(value, dict) else value) for key, value in tree.items()
    ]


# --- the analyzer process ----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def analyzer_server(timeout_s: float = 60.0) -> Iterator[Any]:
    """Start remote_server.so on a free loopback port; yield a connected service stub."""
    import grpc

    binary = SERVER_DIR / "remote_server.so"
    if not binary.exists():
        raise CheckSetupError(f"{binary} is missing: run `make bigquery-check` (it installs it)")
    pb = _pb()
    port = free_port()
    process = subprocess.Popen(
        [str(binary), "127.0.0.1", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    channel = grpc.insecure_channel(
        f"127.0.0.1:{port}",
        options=[
            ("grpc.max_send_message_length", 256 * 1024 * 1024),
            ("grpc.max_receive_message_length", 256 * 1024 * 1024),
        ],
    )
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                grpc.channel_ready_future(channel).result(timeout=1)
                break
            except grpc.FutureTimeoutError:
                if process.poll() is not None or time.monotonic() > deadline:
                    error = process.stderr.read().decode(errors="replace") if process.stderr else ""
                    raise CheckSetupError(
                        f"ZetaSQL server on port {port} did not start: {error.strip()}"
                    ) from None
        yield pb.grpc.ZetaSqlLocalServiceStub(channel)
    finally:
        channel.close()
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def bigquery_analyzer_options(stub: Any) -> Any:
    """Maximum language features in external (BigQuery) product mode, UTC, one-line errors."""
    pb = _pb()
    language = stub.GetLanguageOptions(pb.ls.LanguageOptionsRequest(maximum_features=True))
    language.product_mode = pb.public_options.PRODUCT_EXTERNAL
    options = pb.options.AnalyzerOptionsProto(
        language_options=language,
        error_message_mode=pb.public_options.ERROR_MESSAGE_ONE_LINE,
        default_timezone=DEFAULT_TIMEZONE,
    )
    return options


# --- catalog -----------------------------------------------------------------------------------


def relation_path(relation_name: str) -> tuple[str, ...]:
    """`project`.`dataset`.`table` -> ("project", "dataset", "table")."""
    parts = re.findall(r"`([^`]*)`", relation_name)
    return tuple(parts) if parts else tuple(relation_name.split("."))


@dataclass
class Catalog:
    """Tables by their (project, dataset, table) path; each a list of (column, TypeProto)."""

    tables: dict[tuple[str, ...], list[tuple[str, Any]]] = field(default_factory=dict)

    def set(self, path: tuple[str, ...], columns: list[tuple[str, Any]]) -> None:
        self.tables[tuple(p.lower() for p in path)] = columns

    def get(self, path: tuple[str, ...]) -> list[tuple[str, Any]] | None:
        return self.tables.get(tuple(p.lower() for p in path))

    def proto(self, language_options: Any) -> Any:
        pb = _pb()
        root = pb.catalog.SimpleCatalogProto(
            name="root",
            builtin_function_options={"language_options": language_options},
        )
        for alias, type_name in sorted(BIGQUERY_TYPE_ALIASES.items()):
            root.named_type.add(name=alias, type=parse_type(type_name))
        children: dict[tuple[str, ...], Any] = {(): root}
        for path, columns in sorted(self.tables.items()):
            parent = root
            for depth in range(1, len(path)):
                key = path[:depth]
                if key not in children:
                    children[key] = parent.catalog.add(name=path[depth - 1])
                parent = children[key]
            table = parent.table.add(name=path[-1])
            for name, type_proto in columns:
                table.column.add(name=name, type=type_proto)
        return root


def declared_catalog(manifest: dict[str, Any]) -> Catalog:
    """Sources and seeds of a manifest with their declared column types."""
    seed_types: dict[tuple[str, ...], dict[str, str]] = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] == "seed":
            types = {k.lower(): v for k, v in (node["config"].get("column_types") or {}).items()}
            seed_types[tuple(p.lower() for p in relation_path(node["relation_name"]))] = types
    catalog = Catalog()
    declared = [*manifest["sources"].values()] + [
        n for n in manifest["nodes"].values() if n["resource_type"] == "seed"
    ]
    for node in declared:
        path = relation_path(node["relation_name"])
        if node["resource_type"] == "seed" and catalog.get(path) is not None:
            continue  # a demo seed standing in for a source: the source declares the contract
        fallback = seed_types.get(tuple(p.lower() for p in path), {})
        columns = []
        for name, column in node["columns"].items():
            type_name = column.get("data_type")
            if not type_name and name.lower() in fallback:
                type_name = duckdb_type_to_bigquery(fallback[name.lower()])
            if not type_name:
                raise CheckSetupError(
                    f"{node['unique_id']}: column {name!r} has no data_type (declare it in "
                    f"{node['original_file_path']})"
                )
            columns.append((name, type_name))
        if not columns:
            raise CheckSetupError(f"{node['unique_id']}: no columns declared")
        try:
            catalog.set(path, nest_flattened(columns))
        except ValueError as error:
            raise CheckSetupError(f"{node['unique_id']}: {error}") from None
    return catalog


# --- analysis ----------------------------------------------------------------------------------


@dataclass
class Failure:
    variant: str
    node: str
    message: str
    fragment: str

    def line(self) -> str:
        return f"ERROR {self.variant} {self.node}: {self.message} | {self.fragment}"


@dataclass
class Report:
    analyzed: int = 0
    failures: list[Failure] = field(default_factory=list)

    def summary(self) -> str:
        return f"bigquery-check: {self.analyzed} analyzed, {len(self.failures)} errors"


LOCATION = re.compile(r"\[at (\d+):(\d+)\]")


def sql_fragment(sql: str, message: str, width: int = 60) -> str:
    """The SQL around the analyzer's `[at line:col]`, on one line."""
    location = LOCATION.search(message)
    lines = sql.splitlines()
    if not location or int(location.group(1)) > len(lines):
        return " ".join(sql.split())[: width * 2]
    text = lines[int(location.group(1)) - 1]
    column = int(location.group(2)) - 1
    start = max(0, column - width // 2)
    return " ".join(text[start : column + width].split())


def analyze_sql(stub: Any, options: Any, catalog_proto: Any, sql: str) -> list[tuple[str, Any]]:
    """Output columns [(name, TypeProto)] of one query; raises AnalysisError on a rejection."""
    import grpc

    pb = _pb()
    request = pb.ls.AnalyzeRequest(options=options, simple_catalog=catalog_proto, sql_statement=sql)
    try:
        response = stub.Analyze(request)
    except grpc.RpcError as error:
        if error.code() == grpc.StatusCode.INTERNAL and "deserializing response" in str(
            error.details()
        ):
            # The analyzer accepted the statement (a rejection is INVALID_ARGUMENT with its
            # message); its resolved tree is nested deeper than protobuf's decoding limit (100).
            raise ResolvedTreeTooDeep() from None
        raise AnalysisError(error.details() or str(error)) from None
    statement = response.resolved_statement
    if statement.WhichOneof("node") != "resolved_query_stmt_node":
        raise AnalysisError(f"not a query: {statement.WhichOneof('node')}")
    return [
        (column.name, column.column.type)
        for column in statement.resolved_query_stmt_node.output_column_list
    ]


class AnalysisError(Exception):
    """The analyzer rejected a statement."""


class ResolvedTreeTooDeep(Exception):
    """The analyzer accepted a statement whose resolved tree this client cannot decode.

    Fine for a data test (nothing reads its output); a model's output schema is needed by the
    nodes downstream, so for a model it is an error."""


def dag_order(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """Models (incl. ephemeral) and data tests in dependency order (stable by unique_id)."""
    nodes = {
        uid: node
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] in ("model", "test")
    }
    order: list[dict[str, Any]] = []
    state: dict[str, int] = {}

    def visit(uid: str) -> None:
        if state.get(uid) == 2:
            return
        if state.get(uid) == 1:
            raise CheckSetupError(f"dependency cycle at {uid}")
        state[uid] = 1
        for parent in sorted(nodes[uid]["depends_on"]["nodes"]):
            if parent in nodes:
                visit(parent)
        state[uid] = 2
        order.append(nodes[uid])

    for uid in sorted(nodes):
        visit(uid)
    return order


def check_manifest(
    stub: Any,
    options: Any,
    manifest: dict[str, Any],
    catalog: Catalog,
    variant: str,
    report: Report,
) -> None:
    """Analyze every model and data test of one compile; models' output schemas join catalog."""
    failed: set[str] = set()
    for node in dag_order(manifest):
        uid = node["unique_id"]
        report.analyzed += 1
        blocked = sorted(p for p in node["depends_on"]["nodes"] if p in failed)
        if blocked:
            failed.add(uid)
            report.failures.append(
                Failure(variant, uid, f"not analyzed: reads {', '.join(blocked)} (errors)", "")
            )
            continue
        sql = node.get("compiled_code")
        if not sql:
            failed.add(uid)
            report.failures.append(Failure(variant, uid, "no compiled SQL in the manifest", ""))
            continue
        try:
            columns = analyze_sql(stub, options, catalog.proto(options.language_options), sql)
        except AnalysisError as error:
            failed.add(uid)
            report.failures.append(Failure(variant, uid, str(error), sql_fragment(sql, str(error))))
            continue
        except ResolvedTreeTooDeep:
            if node["resource_type"] == "model":
                failed.add(uid)
                report.failures.append(
                    Failure(
                        variant,
                        uid,
                        "accepted, but its resolved tree is too deep to decode: the output "
                        "schema is unknown (make the expression tree shallower)",
                        "",
                    )
                )
            continue
        if node["resource_type"] == "model" and node.get("relation_name"):
            catalog.set(relation_path(node["relation_name"]), columns)


def check_targets(target_dirs: Iterable[Path]) -> Report:
    """Analyze each compile in turn; later compiles start from the schemas the earlier resolved."""
    report = Report()
    with analyzer_server() as stub:
        options = bigquery_analyzer_options(stub)
        catalog: Catalog | None = None
        for target_dir in target_dirs:
            manifest = json.loads((Path(target_dir) / "manifest.json").read_text())
            declared = declared_catalog(manifest)
            if catalog is None:
                catalog = declared
            else:
                catalog.tables.update(declared.tables)
            check_manifest(stub, options, manifest, catalog, Path(target_dir).name, report)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "target_dirs",
        nargs="+",
        type=Path,
        help="dbt target paths of BigQuery compiles (fresh first, then --assume-existing)",
    )
    args = parser.parse_args(argv)
    try:
        report = check_targets(args.target_dirs)
    except CheckSetupError as error:
        print(f"bigquery-check: setup error: {error}", file=sys.stderr)
        return 2
    for failure in report.failures:
        print(failure.line())
    print(report.summary())
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
