"""Same numbers on both engines: BigQuery-compiled models run by ZetaSQL's reference evaluator on
the rows DuckDB holds, compared row for row with what DuckDB computed.

Usage (after `make build` and `make bigquery-compile`)::

    python -m fxa_metrics_tools.bigquery_check_engines --chain subplat --chain fxa

For each selected model, in DAG order: the tables it reads (sources, seeds, upstream models)
are taken from the DuckDB warehouse as they are, typed by the BigQuery catalog of
fxa_metrics_tools.bigquery_check (declared source types, then each model's resolved schema;
`a__b__c` DuckDB columns fill nested STRUCT fields), and passed as table contents to
EvaluateQuery with the model's BigQuery SQL (target_bigquery). The result is compared as a
multiset of rows with the model's DuckDB relation: so each model is checked on identical inputs
and a difference points at that model's SQL. Numbers (FLOAT64, NUMERIC) compare by value to 10
significant digits, TIMESTAMP as UTC instants.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from fxa_metrics_tools import bigquery_check as bc

PROJECT_DIR = bc.PROJECT_DIR
EPOCH = dt.datetime(1970, 1, 1)
EPOCH_DATE = dt.date(1970, 1, 1)
# NUMERIC keeps 9 decimal places: a quotient such as 59.99 / 12 is rounded there on BigQuery and
# not in DuckDB's DOUBLE (4.999166667 vs 4.99916666667); 10 significant digits compare them equal
FLOAT_DIGITS = 10
MAX_REQUEST_BYTES = 4_000_000
# sampled inputs keep whole users / subscriptions where a table has one of these columns (so
# joins still meet), else a hash of the whole row decides
SAMPLE_KEYS = ("user_id", "subscription_id", "logical_subscriptions_history_id", "id")

# the models of each chain: folders or files under models/
CHAINS = {
    "subplat": (
        "staging/stripe/",
        "staging/apple/",
        "staging/google/",
        "intermediate/subscriptions/",
        "marts/subscription_platform_derived/",
        "marts/subscription_platform/",
    ),
    "fxa": tuple(
        f"marts/firefox_accounts_derived/fxa_users_{name}.sql"
        for name in (
            "daily_v1",
            "first_seen_v1",
            "last_seen_v1",
            "services_daily_v2",
            "services_first_seen_v2",
        )
    ),
}


# --- DuckDB values -> ValueProto ---------------------------------------------------------------


def _numeric_bytes(value: Decimal, scale: int) -> bytes:
    """NUMERIC / BIGNUMERIC on the wire: value * 10^scale, little-endian two's complement."""
    scaled = int(value.scaleb(scale).to_integral_value())
    length = max(1, (scaled.bit_length() + 8) // 8)
    return scaled.to_bytes(length, "little", signed=True)


def _from_numeric_bytes(data: bytes, scale: int) -> Decimal:
    return Decimal(int.from_bytes(data, "little", signed=True)).scaleb(-scale)


def _datetime_fields(value: dt.datetime) -> dict[str, int]:
    packed = (
        (value.year << 26)
        | (value.month << 22)
        | (value.day << 17)
        | (value.hour << 12)
        | (value.minute << 6)
        | value.second
    )
    return {"bit_field_datetime_seconds": packed, "nanos": value.microsecond * 1000}


def to_value(type_proto: Any, value: Any) -> Any:
    """A Python value read from DuckDB as a ZetaSQL ValueProto of type_proto (None = NULL)."""
    pb = bc._pb()
    value_proto = pb.value.ValueProto
    if value is None:
        return value_proto()
    kind = type_proto.type_kind
    t = pb.type
    if kind == t.TYPE_STRING:
        return value_proto(string_value=str(value))
    if kind == t.TYPE_INT64:
        return value_proto(int64_value=int(value))
    if kind == t.TYPE_BOOL:
        return value_proto(bool_value=bool(value))
    if kind == t.TYPE_DOUBLE:
        return value_proto(double_value=float(value))
    if kind == t.TYPE_NUMERIC:
        return value_proto(numeric_value=_numeric_bytes(Decimal(str(value)), 9))
    if kind == t.TYPE_BIGNUMERIC:
        return value_proto(bignumeric_value=_numeric_bytes(Decimal(str(value)), 38))
    if kind == t.TYPE_DATE:
        if isinstance(value, dt.datetime):
            value = value.date()
        return value_proto(date_value=(value - EPOCH_DATE).days)
    if kind == t.TYPE_TIMESTAMP:
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            value = dt.datetime(value.year, value.month, value.day)
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        delta = value - EPOCH
        micros = delta.days * 86_400_000_000 + delta.seconds * 1_000_000 + delta.microseconds
        seconds, micro = divmod(micros, 1_000_000)
        return value_proto(timestamp_value={"seconds": seconds, "nanos": micro * 1000})
    if kind == t.TYPE_DATETIME:
        return value_proto(datetime_value=_datetime_fields(value))
    if kind == t.TYPE_JSON:
        return value_proto(json_value=value if isinstance(value, str) else json.dumps(value))
    if kind == t.TYPE_ARRAY:
        element = type_proto.array_type.element_type
        return value_proto(array_value={"element": [to_value(element, v) for v in value]})
    if kind == t.TYPE_STRUCT:
        lowered = {str(k).lower(): v for k, v in dict(value).items()}
        return value_proto(
            struct_value={
                "field": [
                    to_value(f.field_type, lowered.get(f.field_name.lower()))
                    for f in type_proto.struct_type.field
                ]
            }
        )
    raise bc.CheckSetupError(f"no DuckDB conversion for {bc.type_sql(type_proto)}")


def from_value(type_proto: Any, value: Any) -> Any:
    """A ValueProto from the evaluator as a normalised Python value (see normalise)."""
    pb = bc._pb()
    if value.WhichOneof("value") is None:
        return None
    t = pb.type
    kind = type_proto.type_kind
    if kind == t.TYPE_NUMERIC:
        return normalise(_from_numeric_bytes(value.numeric_value, 9))
    if kind == t.TYPE_BIGNUMERIC:
        return normalise(_from_numeric_bytes(value.bignumeric_value, 38))
    if kind == t.TYPE_DATE:
        return EPOCH_DATE + dt.timedelta(days=value.date_value)
    if kind == t.TYPE_TIMESTAMP:
        stamp = value.timestamp_value
        return EPOCH + dt.timedelta(seconds=stamp.seconds, microseconds=stamp.nanos // 1000)
    if kind == t.TYPE_DATETIME:
        bits = value.datetime_value.bit_field_datetime_seconds
        return dt.datetime(
            bits >> 26,
            (bits >> 22) & 0xF,
            (bits >> 17) & 0x1F,
            (bits >> 12) & 0x1F,
            (bits >> 6) & 0x3F,
            bits & 0x3F,
            value.datetime_value.nanos // 1000,
        )
    if kind == t.TYPE_ARRAY:
        element = type_proto.array_type.element_type
        return tuple(from_value(element, v) for v in value.array_value.element)
    if kind == t.TYPE_STRUCT:
        return tuple(
            sorted(
                (f.field_name.lower(), from_value(f.field_type, v))
                for f, v in zip(type_proto.struct_type.field, value.struct_value.field, strict=True)
            )
        )
    return normalise(getattr(value, value.WhichOneof("value")))


def normalise(value: Any) -> Any:
    """One comparable form for both engines' values."""
    if value is None or isinstance(value, bool | str | int):
        return value
    if isinstance(value, float | Decimal):
        # numbers by value: a NUMERIC on one engine may be a DOUBLE on the other
        return float(f"{value:.{FLOAT_DIGITS}g}")
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value
    if isinstance(value, dt.date):
        return value
    if isinstance(value, dict):
        return tuple(sorted((str(k).lower(), normalise(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return tuple(normalise(v) for v in value)
    return value


def duckdb_struct(type_proto: Any, row: dict[str, Any], prefix: str) -> Any:
    """The value of a nested column from DuckDB's flattened `prefix__field` columns."""
    pb = bc._pb()
    if type_proto.type_kind != pb.type.TYPE_STRUCT:
        return row.get(prefix.lower())
    return {
        f.field_name: duckdb_struct(f.field_type, row, f"{prefix}__{f.field_name}")
        for f in type_proto.struct_type.field
    }


# --- the comparison ----------------------------------------------------------------------------


@dataclass
class ModelResult:
    node: str
    bigquery_rows: int = 0
    duckdb_rows: int = 0
    only_bigquery: list[tuple[Any, ...]] = field(default_factory=list)
    only_duckdb: list[tuple[Any, ...]] = field(default_factory=list)
    error: str = ""
    skipped: str = ""
    sampled: str = ""
    column_diffs: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.error and not self.only_bigquery and not self.only_duckdb

    def line(self) -> str:
        if self.skipped:
            return f"SKIP {self.node}: {self.skipped}"
        head = f"{'OK  ' if self.ok else 'DIFF'} {self.node}"
        if self.error:
            return f"{head}: {self.error}"
        text = f"{head}: {self.bigquery_rows} rows on BigQuery, {self.duckdb_rows} on DuckDB"
        if not self.ok:
            text += (
                f"; {len(self.only_bigquery)} only on BigQuery, {len(self.only_duckdb)} only on"
                " DuckDB; "
            )
            if self.column_diffs:
                text += "same first column, differing columns: " + "; ".join(self.column_diffs)
            else:
                text += f"e.g. BigQuery {self.only_bigquery[:1]} DuckDB {self.only_duckdb[:1]}"
        if self.sampled:
            text += f" (inputs sampled: {self.sampled})"
        return f"{text} ({self.seconds:.1f}s)"


def duckdb_relation(node: dict[str, Any]) -> str:
    return ".".join(f'"{part}"' for part in (node["schema"], node.get("alias") or node["name"]))


def duckdb_rows(con: Any, relation: str) -> tuple[list[str], list[dict[str, Any]]]:
    cursor = con.execute(f"select * from {relation}")
    names = [d[0].lower() for d in cursor.description]
    return names, [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def table_content(
    con: Any, relation: str, columns: list[tuple[str, Any]], absent_as_null: bool = False
) -> tuple[Any, int]:
    """A DuckDB relation as a TableContent typed by the BigQuery catalog columns.

    `absent_as_null` (raw sources): a declared column the DuckDB table lacks is NULL, as the
    input contract's staging fill (select_source_contract) reads it on DuckDB; the BigQuery
    compile takes every declared column as present."""
    pb = bc._pb()
    names, rows = duckdb_rows(con, relation)
    present = set(names)
    cells = []
    for name, type_proto in columns:
        key = name.lower()
        if key not in present and type_proto.type_kind == pb.type.TYPE_STRUCT:
            cells.append((type_proto, lambda row, n=name, t=type_proto: duckdb_struct(t, row, n)))
        elif key in present:
            cells.append((type_proto, lambda row, k=key: row[k]))
        elif absent_as_null:
            cells.append((type_proto, lambda row: None))
        else:
            raise bc.CheckSetupError(f"{relation}: no DuckDB column {name!r}")
    data = pb.ls.TableData(
        row=[pb.ls.TableData.Row(cell=[to_value(t, get(row)) for t, get in cells]) for row in rows]
    )
    return pb.ls.TableContent(table_data=data), len(rows)


def row_count(con: Any, relation: str) -> int:
    return int(con.execute(f"select count(*) from {relation}").fetchall()[0][0])


def sampled_inputs(
    con: Any,
    node: dict[str, Any],
    bq_nodes: dict[str, Any],
    duck_nodes: dict[str, Any],
    max_rows: int,
) -> dict[str, str]:
    """parent uid -> the DuckDB relation both engines read for it.

    The parents as they are when the model's inputs and its DuckDB result both fit in
    max_rows; else every parent larger than a tenth of max_rows is replaced by a temp table of
    a deterministic hash sample of its rows (by SAMPLE_KEYS), small enough for the
    reference evaluator. Any subset of the inputs is as good a test of the model's SQL, as long
    as both engines read the same one.
    """
    parents = sorted(
        p for p in set(node["depends_on"]["nodes"]) if bq_nodes.get(p, {}).get("relation_name")
    )
    relations = {p: duckdb_relation(duck_nodes[p]) for p in parents}
    sizes = {p: row_count(con, relations[p]) for p in parents}
    output_rows = row_count(con, duckdb_relation(duck_nodes[node["unique_id"]]))
    fraction = max_rows / max(sum(sizes.values()), output_rows, 1)
    if fraction >= 1:
        return relations
    for parent in parents:
        if sizes[parent] <= max_rows // 10:
            continue
        names = [
            d[0] for d in con.execute(f"select * from {relations[parent]} limit 0").description
        ]
        key = next((k for k in SAMPLE_KEYS if k in names), None)
        sample_hash = f'hash(cast(sampled."{key}" as varchar))' if key else "hash(sampled)"
        modulus = max(2, round(1 / fraction))
        name = f"xe_input_{parents.index(parent)}"
        con.execute(
            f"create or replace temp table {name} as select sampled.* from "
            f"{relations[parent]} as sampled where {sample_hash} % {modulus} = 0"
        )
        relations[parent] = name
    return relations


def evaluate_model(
    stub: Any,
    options: Any,
    con: Any,
    node: dict[str, Any],
    bq_nodes: dict[str, dict[str, Any]],
    duck_nodes: dict[str, dict[str, Any]],
    catalog: bc.Catalog,
    max_rows: int,
) -> ModelResult:
    """One model on both engines. duck_nodes[uid]["compiled_code"] (DuckDB, full-refresh
    compile) is needed only when the inputs are sampled."""
    pb = bc._pb()
    uid = node["unique_id"]
    result = ModelResult(uid)
    started = time.monotonic()
    while True:
        inputs = sampled_inputs(con, node, bq_nodes, duck_nodes, max_rows)
        sampled = any(inputs[p] != duckdb_relation(duck_nodes[p]) for p in inputs)
        duck_sql = duck_nodes[uid].get("compiled_code")
        if sampled and not duck_sql:
            result.skipped = "inputs too large and no DuckDB compiled SQL to rerun on a sample"
            return result
        sql = node["compiled_code"]
        root = pb.catalog.SimpleCatalogProto(
            name="root", builtin_function_options={"language_options": options.language_options}
        )
        for alias, type_name in sorted(bc.BIGQUERY_TYPE_ALIASES.items()):
            root.named_type.add(name=alias, type=bc.parse_type(type_name))
        contents = {}
        for parent, relation in inputs.items():
            relation_name = bq_nodes[parent]["relation_name"]
            path = bc.relation_path(relation_name)
            columns = catalog.get(path)
            if columns is None:
                result.error = f"no BigQuery schema for {parent}"
                return result
            flat = ".".join(path)
            sql = sql.replace(relation_name, f"`{flat}`")
            table = root.table.add(name=flat)
            for name, type_proto in columns:
                table.column.add(name=name, type=type_proto)
            contents[flat], _ = table_content(
                con, relation, columns, absent_as_null=parent.startswith("source.")
            )
            if sampled:
                duck_sql = duck_sql.replace(duck_nodes[parent]["relation_name"], relation)
        request = pb.ls.EvaluateQueryRequest(
            sql=sql, options=options, simple_catalog=root, table_content=contents
        )
        # the server takes gRPC messages up to 4 MiB: sample harder until the inputs fit
        if request.ByteSize() <= MAX_REQUEST_BYTES or max_rows < 20:
            break
        max_rows //= 2
    try:
        response = stub.EvaluateQuery(request)
    except Exception as error:  # grpc.RpcError carries the evaluator's message
        details = error.details() if hasattr(error, "details") else str(error)
        result.error = f"evaluator: {details}"
        result.seconds = time.monotonic() - started
        return result
    out_columns = list(response.prepared.columns)
    bigquery = Counter(
        tuple(from_value(c.type, v) for c, v in zip(out_columns, row.cell, strict=True))
        for row in response.content.table_data.row
    )
    if sampled:
        cursor = con.execute(duck_sql)
        names = [d[0].lower() for d in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        result.sampled = ", ".join(
            f"{bq_nodes[p]['name']} {row_count(con, inputs[p])} rows"
            for p in inputs
            if inputs[p] != duckdb_relation(duck_nodes[p])
        )
    else:
        names, rows = duckdb_rows(con, duckdb_relation(duck_nodes[uid]))
    wanted = [c.name.lower() for c in out_columns]
    missing = [n for n in wanted if n not in names]
    if missing or len(wanted) != len(names):
        result.error = f"columns differ: BigQuery {wanted}, DuckDB {names}"
        return result
    duckdb = Counter(tuple(normalise(row[n]) for n in wanted) for row in rows)
    result.bigquery_rows = sum(bigquery.values())
    result.duckdb_rows = sum(duckdb.values())
    result.only_bigquery = list((bigquery - duckdb).elements())
    result.only_duckdb = list((duckdb - bigquery).elements())
    by_key = {row[0]: row for row in result.only_duckdb}
    for row in result.only_bigquery:
        twin = by_key.get(row[0])
        if twin is not None:
            result.column_diffs = [
                f"{name}: BigQuery {a!r} DuckDB {b!r}"
                for name, a, b in zip(wanted, row, twin, strict=True)
                if a != b
            ]
            break
    result.seconds = time.monotonic() - started
    return result


def chain_models(manifest: dict[str, Any], chains: Iterable[str]) -> set[str]:
    prefixes = tuple(p for chain in chains for p in CHAINS[chain])
    return {
        uid
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] == "model"
        and node["original_file_path"].removeprefix("models/").startswith(prefixes)
    }


def compare(
    bq_target: Path,
    duck_manifest_path: Path,
    warehouse: Path,
    chains: list[str],
    max_rows: int,
    on_result: Any = None,
    duck_compiled: Path | None = None,
) -> list[ModelResult]:
    import duckdb

    bq_manifest = json.loads((bq_target / "manifest.json").read_text())
    duck_manifest = json.loads(duck_manifest_path.read_text())
    duck_nodes = {**duck_manifest["nodes"], **duck_manifest["sources"]}
    if duck_compiled is not None:
        # full-refresh DuckDB SQL, to rerun models on sampled inputs
        compiled = json.loads(duck_compiled.read_text())["nodes"]
        for uid, node in compiled.items():
            if node.get("compiled_code") and uid in duck_nodes:
                duck_nodes[uid] = {**duck_nodes[uid], "compiled_code": node["compiled_code"]}
    bq_nodes = {**bq_manifest["nodes"], **bq_manifest["sources"]}
    selected = chain_models(bq_manifest, chains)
    results = []
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        with bc.analyzer_server() as stub:
            options = bc.bigquery_analyzer_options(stub)
            catalog = bc.declared_catalog(bq_manifest)
            report = bc.Report()
            bc.check_manifest(stub, options, bq_manifest, catalog, bq_target.name, report)
            if report.failures:
                raise bc.CheckSetupError(
                    f"{len(report.failures)} analyzer errors: run `make bigquery-check` first"
                )
            for node in bc.dag_order(bq_manifest):
                if node["unique_id"] in selected and node["config"].get("materialized") != (
                    "ephemeral"
                ):
                    results.append(
                        evaluate_model(
                            stub,
                            options,
                            con,
                            node,
                            bq_nodes,
                            duck_nodes,
                            catalog,
                            max_rows,
                        )
                    )
                    if on_result:
                        on_result(results[-1])
    finally:
        con.close()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chain", action="append", choices=sorted(CHAINS), required=True)
    parser.add_argument("--bq-target", type=Path, default=PROJECT_DIR / "target_bigquery")
    parser.add_argument(
        "--duckdb-manifest", type=Path, default=PROJECT_DIR / "target" / "manifest.json"
    )
    parser.add_argument(
        "--warehouse", type=Path, default=PROJECT_DIR / "warehouse" / "fxa_metrics.duckdb"
    )
    parser.add_argument(
        "--max-rows",
        type=int,
        default=3000,
        help="inputs or DuckDB result above this: both engines read a hash sample of the inputs",
    )
    parser.add_argument(
        "--duckdb-compiled",
        type=Path,
        default=None,
        help="manifest.json of `dbt compile --full-refresh` on DuckDB (needed for sampling)",
    )
    args = parser.parse_args(argv)
    try:
        results = compare(
            args.bq_target,
            args.duckdb_manifest,
            args.warehouse,
            args.chain,
            args.max_rows,
            on_result=lambda result: print(result.line(), flush=True),
            duck_compiled=args.duckdb_compiled,
        )
    except bc.CheckSetupError as error:
        print(f"bigquery-check-engines: setup error: {error}", file=sys.stderr)
        return 2
    compared = [r for r in results if not r.skipped]
    bad = [r for r in compared if not r.ok]
    print(
        f"bigquery-check-engines: {len(compared)} models compared, {len(bad)} differ, "
        f"{len(results) - len(compared)} skipped"
    )
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
