"""Scaled raw data for benchmarks: the demo's raw tables replicated N times inside DuckDB.

Usage::

    python -m fxa_metrics_tools.scale --scale 10 --seed 42 --duckdb warehouse/bench.duckdb
    python -m fxa_metrics_tools.scale --print-vars      # the dbt --vars that read the tables

How it works: the lineage generators (demo_stripe, demo_stores, demo_fxa, demo_glean) write the
scale-1 demo as CSV into a temporary folder; DuckDB loads each table with the column types of
its seed YAML, then one SQL statement per table and batch of copies writes copy k = 0..N-1 into
schema ``scaled_<schema>`` of the DuckDB file (the reference tables stay in the seeds):

* copy 0 is the demo unchanged, so scale 1 reproduces the demo exactly;
* copy k > 0 suffixes per-entity ids with ``_k`` (subscriptions, customers, invoices, charges,
  items, log insertIds, purchase tokens; Apple's numeric ids get three digits appended), remaps
  FxA uids to ``md5(uid || ':' || k)`` everywhere they appear (logs, accounts DB, Glean, Stripe
  customer metadata, Apple/Google account ids) and recomputes the SHA-256 the raw data carries
  (Glean ``account_user_id_sha256``, Stripe ``userid_sha256``), so one user copy stays one user
  across sources; device, client and document ids are re-derived the same way and flow ids get
  their last 8 hex digits replaced by k (inside the JSON user_properties too);
* copy k > 0 is shifted forward in time: SubPlat by ``(7919 k + seed) mod 300`` days (the demo's
  two years become about three), FxA by ``(7919 k + seed) mod 275`` days (three months become
  about a year); far-future ``9999-12-31`` end timestamps are not shifted;
* FxA events (log lines and Glean events, not accounts snapshots) are further repeated
  ``event_factor`` times per copy (default 1 at scale 1, 3 above), repeat j seconds later with
  its own insertId / document id, so scale 100 holds 10M+ events for ~32k users.

Plans, products, coupons, promotion codes, services and OAuth clients are not replicated.
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

LOG = logging.getLogger("fxa_metrics_tools.scale")
PROJECT_DIR = Path(__file__).resolve().parents[1]
SCHEMA_PREFIX = "scaled_"
# lineage generator modules whose (non-reference) tables are the raw inputs
LINEAGES: tuple[str, ...] = (
    "fxa_metrics_tools.demo_stripe",
    "fxa_metrics_tools.demo_stores",
    "fxa_metrics_tools.demo_fxa",
    "fxa_metrics_tools.demo_glean",
)
SUBPLAT_SPAN_DAYS = 300
FXA_SPAN_DAYS = 275
ROWS_PER_BATCH = 2_000_000
# dbt vars naming the schema each raw source reads (the `<var>: scaled_<schema>` override)
SOURCE_SCHEMA_VARS: dict[str, str] = {
    "stripe_schema": "stripe",
    "apple_schema": "apple",
    "google_schema": "google",
    "fxa_logs_schema": "fxa_logs",
    "accounts_db_schema": "accounts_db",
    "glean_accounts_backend_schema": "glean",
    "glean_accounts_frontend_schema": "glean",
}
# tables replicated per copy: reference-like tables (plan, product, coupon, promotion_code) are not
REFERENCE_TABLES = {"stripe/plan", "stripe/product", "stripe/coupon", "stripe/promotion_code"}

_LOG_COLUMNS: dict[str, str] = {
    "timestamp": "ts",
    "receiveTimestamp": "ts",
    "_ingest_date": "date",
    "insertId": "event_id",
    "jsonPayload__timestamp": "epoch_ns",
    "jsonPayload__fields__time": "epoch_ms",
    "jsonPayload__fields__session_id": "epoch_ms_day",
    "jsonPayload__fields__user_id": "uid",
    "jsonPayload__fields__uid": "uid",
    "jsonPayload__fields__device_id": "md5_id",
    "jsonPayload__flow_id": "flow",
    "jsonPayload__fields__user_properties": "json_flow",
    "jsonPayload__email": "email",
    "jsonPayload__fields__email": "email",
}
_GLEAN_COLUMNS: dict[str, str] = {
    "submission_timestamp": "ts",
    "event_timestamp": "ts",
    "document_id": "document_id",
    "event_id": "glean_event_id",
    "client_id": "uuid",
    "metrics__string__account_user_id": "uid",
    "metrics__string__account_user_id_sha256": "uid_sha",
    "metrics__string__session_flow_id": "flow",
}
_STRIPE_TS = {"ts"}

# "<schema>/<table>" -> (lineage: subplat|fxa, {column: kind}); unlisted columns are copied
TABLE_SPECS: dict[str, tuple[str, dict[str, str]]] = {
    "stripe/subscription_history": (
        "subplat",
        {
            "id": "id",
            "customer_id": "id",
            "latest_invoice_id": "id",
            "default_payment_method_id": "id",
            **{
                col: "ts"
                for col in (
                    "_fivetran_start",
                    "_fivetran_end",
                    "created",
                    "start_date",
                    "current_period_start",
                    "current_period_end",
                    "canceled_at",
                    "ended_at",
                    "trial_start",
                    "trial_end",
                )
            },
        },
    ),
    "stripe/subscription_item": ("subplat", {"id": "id", "subscription_id": "id", "created": "ts"}),
    "stripe/customer": (
        "subplat",
        {
            "id": "id",
            "invoice_settings_default_payment_method": "id",
            "created": "ts",
            "metadata": "json_uid",
        },
    ),
    "stripe/invoice": (
        "subplat",
        {
            "id": "id",
            "customer_id": "id",
            "subscription_id": "id",
            "charge_id": "id",
            "created": "ts",
            "status_transitions_finalized_at": "ts",
            "period_start": "ts",
            "period_end": "ts",
        },
    ),
    "stripe/invoice_line_item": (
        "subplat",
        {
            "invoice_id": "id",
            "unique_id": "id",
            "id": "id",
            "subscription_id": "id",
            "subscription_item_id": "id",
            "period_start": "ts",
            "period_end": "ts",
        },
    ),
    "stripe/charge": (
        "subplat",
        {"id": "id", "invoice_id": "id", "customer_id": "id", "card_id": "id", "created": "ts"},
    ),
    "stripe/card": ("subplat", {"id": "id"}),
    "stripe/refund": ("subplat", {"id": "id", "charge_id": "id", "created": "ts"}),
    "stripe/discount": (
        "subplat",
        {
            "id": "id",
            "subscription_id": "id",
            "customer_id": "id",
            "invoice_id": "id",
            "start": "ts",
            "end": "ts",
        },
    ),
    "stripe/payment_method": ("subplat", {"id": "id", "customer_id": "id"}),
    "stripe/payment_method_card": ("subplat", {"payment_method_id": "id"}),
    "apple/subscriptions_history": (
        "subplat",
        {
            "original_transaction_id": "digits_id",
            "mozilla_account_id": "uid",
            **{
                col: "ts"
                for col in (
                    "valid_from",
                    "valid_to",
                    "original_purchase_date",
                    "expires_date",
                    "revocation_date",
                )
            },
        },
    ),
    "google/subscriptions_history": (
        "subplat",
        {
            "purchase_token": "id",
            "mozilla_account_id": "uid",
            **{
                col: "ts"
                for col in (
                    "valid_from",
                    "valid_to",
                    "start_time",
                    "expiry_time",
                    "user_cancellation_time",
                )
            },
        },
    ),
    "fxa_logs/raw_fxa_log_stderr": ("fxa_events", _LOG_COLUMNS),
    "fxa_logs/raw_fxa_log_stdout": ("fxa_events", _LOG_COLUMNS),
    "fxa_logs/raw_fxa_log_stderr_nonprod": ("fxa_events", _LOG_COLUMNS),
    "fxa_logs/raw_fxa_log_stdout_nonprod": ("fxa_events", _LOG_COLUMNS),
    "accounts_db/raw_fxa_accounts": (
        "fxa",
        {
            "uid": "uid",
            "email": "email",
            "normalizedEmail": "email",
            **{
                col: "ts"
                for col in (
                    "verifierSetAt",
                    "createdAt",
                    "lockedAt",
                    "disabledAt",
                    "profileChangedAt",
                    "keysChangedAt",
                    "metricsOptOutAt",
                    "_snapshot_at",
                )
            },
        },
    ),
    "glean/accounts_backend_events_stream": ("fxa_events", _GLEAN_COLUMNS),
    "glean/accounts_frontend_events_stream": ("fxa_events", _GLEAN_COLUMNS),
}


@dataclass(frozen=True)
class SeedTable:
    """One demo table: its generator key, relation name and seed column types."""

    key: str  # "<schema>/<seed name>" as the generators key it
    schema: str
    relation: str  # the seed's alias (or name): the source table name
    column_types: dict[str, str]

    @property
    def spec_key(self) -> str:
        return f"{self.schema}/{self.relation}"


def source_vars(prefix: str = SCHEMA_PREFIX) -> dict[str, str]:
    """dbt vars that point every raw source at the scaled tables (merge into --vars)."""
    return {var: f"{prefix}{schema}" for var, schema in SOURCE_SCHEMA_VARS.items()}


def default_event_factor(scale: int) -> int:
    """FxA events per event per copy: 1 at scale 1 (the demo), 3 above (10M+ at scale 100)."""
    return 1 if scale == 1 else 3


def seed_tables(seeds_dir: Path) -> dict[str, SeedTable]:
    """The demo seeds' relation names and column types, from their YAML (key schema/seed)."""
    tables: dict[str, SeedTable] = {}
    for yml in sorted(seeds_dir.glob("*/*.yml")):
        schema = yml.parent.name
        for seed in (yaml.safe_load(yml.read_text()) or {}).get("seeds", []):
            config = seed.get("config") or {}
            tables[f"{schema}/{seed['name']}"] = SeedTable(
                key=f"{schema}/{seed['name']}",
                schema=schema,
                relation=config.get("alias") or seed["name"],
                column_types=dict(config.get("column_types") or {}),
            )
    return tables


def generate_demo_csv(out_dir: Path, seed: int) -> list[str]:
    """Run the lineage generators at scale 1 into out_dir/<schema>/<table>.csv; return keys."""
    from fxa_metrics_tools.generate import write_csv

    keys: list[str] = []
    for module_name in LINEAGES:
        module = importlib.import_module(module_name)
        for key, rows in module.generate(scale=1, seed=seed).items():
            schema, table = key.split("/")
            if schema == "reference":
                continue
            write_csv(out_dir / schema / f"{table}.csv", rows)
            keys.append(key)
    return keys


def _q(column: str) -> str:
    return '"' + column.replace('"', '""') + '"'


def _shift_ts(col: str, days: str, seconds: str) -> str:
    return (
        f"case when {col} >= timestamp '9000-01-01' then {col} "
        f"else {col} + to_days({days}) + to_seconds({seconds}) end"
    )


def column_expr(column: str, kind: str | None, lineage: str) -> str:
    """SQL for one column of copy k (repeat j; shift_d days, shift_s seconds); identity at 0."""
    col = f"src.{_q(column)}"
    suffix = (
        "(case when k = 0 and j = 0 then '' when j = 0 then '_' || k else '_' || k || '_' || j end)"
    )
    uid_ok = f"regexp_full_match({col}, '[0-9a-f]{{32}}')"
    new_uid = f"md5({col} || ':' || k)"
    if kind is None:
        return col
    if kind == "ts":
        return _shift_ts(col, "shift_d", "shift_s")
    if kind == "date":
        return f"cast({col} + to_days(shift_d) as date)"
    if kind == "id":
        return (
            f"case when k = 0 or {col} is null or {col} = '' then {col} else {col} || '_' || k end"
        )
    if kind == "event_id":
        return f"{col} || {suffix}"
    if kind == "digits_id":
        return f"case when k = 0 then {col} else {col} || printf('%03d', k) end"
    if kind == "uid":
        return f"case when k > 0 and {uid_ok} then {new_uid} else {col} end"
    if kind == "md5_id":
        return f"case when k > 0 and {col} <> '' then md5({col} || ':' || k) else {col} end"
    if kind in ("uuid", "document_id"):
        salt = "k" if kind == "uuid" else "k || ':' || j"
        cond = "k > 0" if kind == "uuid" else "(k > 0 or j > 0)"
        return (
            f"case when {cond} and {col} <> '' then "
            f"regexp_replace(md5({col} || ':' || {salt}), "
            "'^(.{8})(.{4})(.{4})(.{4})(.{12})$', '\\1-\\2-\\3-\\4-\\5') "
            f"else {col} end"
        )
    if kind == "glean_event_id":
        doc = column_expr("document_id", "document_id", lineage)
        return f"replace({col}, src.document_id, {doc})"
    if kind == "uid_sha":
        return (
            f"case when k = 0 or not regexp_full_match({col}, '[0-9a-f]{{64}}') then {col} "
            f"when uid_map.uid is not null then sha256(md5(uid_map.uid || ':' || k)) "
            f"else sha256({col} || ':' || k) end"
        )
    if kind == "flow":
        return (
            f"case when k > 0 and regexp_full_match({col}, '[0-9a-f]{{64}}') "
            f"then substr({col}, 1, 56) || printf('%08x', k) else {col} end"
        )
    if kind == "json_flow":
        return (
            f"case when k > 0 then regexp_replace({col}, "
            '\'("flow_id": "[0-9a-f]{56})[0-9a-f]{8}"\', '
            "'\\1' || printf('%08x', k) || '\"') else "
            f"{col} end"
        )
    if kind == "email":
        return f"case when k > 0 then replace({col}, '@', '+c' || k || '@') else {col} end"
    if kind in ("epoch_ms", "epoch_ns", "epoch_ms_day"):
        unit = 1_000_000_000 if kind == "epoch_ns" else 1000
        secs = "shift_d * 86400" if kind == "epoch_ms_day" else "shift_d * 86400 + shift_s"
        return f"coalesce(cast(try_cast({col} as hugeint) + ({secs}) * {unit} as varchar), {col})"
    if kind == "json_uid":
        old = f'regexp_extract({col}, \'"userid": "([0-9a-f]{{32}})"\', 1)'
        new = f"md5({old} || ':' || k)"
        return (
            f"case when k = 0 or {old} = '' then {col} else "
            f"replace(replace({col}, {old}, {new}), sha256({old}), sha256({new})) end"
        )
    raise ValueError(f"unknown column kind {kind!r} for {column}")


def copy_sql(
    table: SeedTable, columns: list[str], k_from: int, k_to: int, reps: int, seed: int
) -> str:
    """SELECT of copies k_from..k_to-1 (each repeated reps times for FxA events)."""
    lineage, kinds = TABLE_SPECS[table.spec_key]
    span = SUBPLAT_SPAN_DAYS if lineage == "subplat" else FXA_SPAN_DAYS
    select = ",\n    ".join(f"{column_expr(c, kinds.get(c), lineage)} as {_q(c)}" for c in columns)
    join_map = ""
    if "uid_sha" in kinds.values():
        sha_col = next(c for c, kind in kinds.items() if kind == "uid_sha")
        join_map = f"left join uid_map on uid_map.sha = src.{_q(sha_col)}"
    return f"""
select
    {select}
from demo_raw.{_q(table.schema + "__" + table.relation)} as src
cross join (
    select
        range as k,
        case when range = 0 then 0 else (range * 7919 + {seed}) % {span} end as shift_d
    from range({k_from}, {k_to})
) as copies
cross join (select range as j, range as shift_s from range({reps})) as repeats
{join_map}
"""


def _progress(done: int, total: int, started: float, label: str) -> None:
    width = 30
    filled = int(width * done / max(total, 1))
    rate = done / max(time.perf_counter() - started, 1e-9) * 60
    sys.stderr.write(
        f"\r[{'#' * filled}{'.' * (width - filled)}] {done:>12,}/{total:,} rows "
        f"{rate:>12,.0f} rows/min  {label:<40}"
    )
    sys.stderr.flush()


def write_scaled(
    duckdb_path: Path,
    scale: int,
    seed: int = 42,
    event_factor: int | None = None,
    prefix: str = SCHEMA_PREFIX,
    progress: bool = True,
) -> dict[str, int]:
    """Write the raw tables at `scale` into schemas `<prefix><schema>`; rows per table."""
    import duckdb

    if not 1 <= scale <= 999:
        raise ValueError(f"scale must be between 1 and 999, got {scale}")
    reps_fxa = default_event_factor(scale) if event_factor is None else event_factor
    if reps_fxa < 1:
        raise ValueError(f"event_factor must be >= 1, got {event_factor}")
    meta = seed_tables(PROJECT_DIR / "seeds" / "demo")
    written: dict[str, int] = {}
    with (
        tempfile.TemporaryDirectory(prefix="fxa_scale_") as tmp,
        duckdb.connect(str(duckdb_path)) as con,
    ):
        con.execute("set enable_progress_bar = false")
        keys = generate_demo_csv(Path(tmp), seed)
        missing = [key for key in keys if key not in meta]
        if missing:
            raise RuntimeError(f"generated tables without a seed YAML entry: {missing}")
        con.execute("create schema if not exists demo_raw")
        tables = [meta[key] for key in keys]
        base_rows: dict[str, int] = {}
        columns: dict[str, list[str]] = {}
        for table in tables:
            csv_path = Path(tmp) / table.schema / f"{table.key.split('/')[1]}.csv"
            types = ", ".join(f"'{col}': '{kind}'" for col, kind in table.column_types.items())
            con.execute(
                f"create or replace table demo_raw.{_q(table.schema + '__' + table.relation)} as "
                "select * from read_csv(?, header = true, sample_size = -1, "
                f"types = {{{types}}})",
                [str(csv_path)],
            )
            rel = f"demo_raw.{_q(table.schema + '__' + table.relation)}"
            base_rows[table.key] = con.execute(f"select count(*) from {rel}").fetchone()[0]
            columns[table.key] = [row[0] for row in con.execute(f"describe {rel}").fetchall()]
        _build_uid_map(con, tables)

        def copies_of(table: SeedTable) -> tuple[int, int]:
            if table.spec_key in REFERENCE_TABLES:
                return 1, 1
            lineage = TABLE_SPECS[table.spec_key][0]
            return scale, reps_fxa if lineage == "fxa_events" else 1

        total = 0
        for table in tables:
            copies, reps = copies_of(table)
            total += base_rows[table.key] * copies * reps
        started = time.perf_counter()
        done = 0
        for table in tables:
            target = f"{_q(prefix + table.schema)}.{_q(table.relation)}"
            con.execute(f"create schema if not exists {_q(prefix + table.schema)}")
            copies, reps = copies_of(table)
            per_copy = max(base_rows[table.key] * reps, 1)
            batch = max(1, ROWS_PER_BATCH // per_copy)
            if table.spec_key in REFERENCE_TABLES:
                sql = f"select * from demo_raw.{_q(table.schema + '__' + table.relation)}"
                con.execute(f"create or replace table {target} as {sql}")
                done += base_rows[table.key]
            else:
                for k_from in range(0, copies, batch):
                    k_to = min(copies, k_from + batch)
                    sql = copy_sql(table, columns[table.key], k_from, k_to, reps, seed)
                    if k_from == 0:
                        con.execute(f"create or replace table {target} as {sql}")
                    else:
                        con.execute(f"insert into {target} {sql}")
                    done += base_rows[table.key] * reps * (k_to - k_from)
                    if progress:
                        _progress(done, total, started, f"{prefix}{table.schema}.{table.relation}")
            written[f"{table.schema}/{table.relation}"] = con.execute(
                f"select count(*) from {target}"
            ).fetchone()[0]
        con.execute("drop schema demo_raw cascade")
        if progress:
            _progress(done, total, started, "done")
            sys.stderr.write("\n")
    return written


def _build_uid_map(con, tables: list[SeedTable]) -> None:  # noqa: ANN001 - duckdb connection
    """Temp table uid_map(sha, uid) of every raw FxA uid the demo carries (for Glean's hashes)."""
    selects: list[str] = []
    for table in tables:
        _, kinds = TABLE_SPECS.get(table.spec_key, ("", {}))
        rel = f"demo_raw.{_q(table.schema + '__' + table.relation)}"
        for column, kind in kinds.items():
            if kind == "uid":
                selects.append(f"select {_q(column)} as uid from {rel}")
            elif kind == "json_uid":
                selects.append(
                    f'select regexp_extract({_q(column)}, \'"userid": "([0-9a-f]{{32}})"\', 1) '
                    f"as uid from {rel}"
                )
    union = "\nunion\n".join(selects)
    con.execute(
        "create or replace temp table uid_map as "
        f"select distinct sha256(uid) as sha, uid from ({union}) as uids "
        "where regexp_full_match(uid, '[0-9a-f]{32}')"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1, help="copies of the demo (1..999)")
    parser.add_argument("--seed", type=int, default=42, help="demo generator and shift seed")
    parser.add_argument("--duckdb", type=Path, default=PROJECT_DIR / "warehouse" / "scaled.duckdb")
    parser.add_argument("--event-factor", type=int, default=None, help="FxA event repeats")
    parser.add_argument("--prefix", default=SCHEMA_PREFIX, help="schema prefix of the tables")
    parser.add_argument(
        "--print-vars", action="store_true", help="print the dbt --vars JSON and exit"
    )
    args = parser.parse_args(argv)
    if args.print_vars:
        sys.stdout.write(json.dumps(source_vars(args.prefix)) + "\n")
        return
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    args.duckdb.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    written = write_scaled(args.duckdb, args.scale, args.seed, args.event_factor, args.prefix)
    seconds = time.perf_counter() - started
    rows = sum(written.values())
    for key, count in written.items():
        LOG.info("%-45s %12d", key, count)
    LOG.info(
        "%d rows in %.1f s (%.0f rows/min) into %s; dbt reads them with --vars '%s'",
        rows,
        seconds,
        rows / max(seconds, 1e-9) * 60,
        args.duckdb,
        json.dumps(source_vars(args.prefix)),
    )


if __name__ == "__main__":
    main()
