"""Privacy of the demo build (issue 4, docs/fxa_events.md 4.1-4.3): no raw identifier leaves
raw/staging.

Reads the built demo warehouse (``built_warehouse``) read-only through an in-memory DuckDB that
attaches it, so nothing is ever written to it.

1. Every raw uid, device id, email and IP value present in the raw inputs (the seed schemas
   ``fxa_logs``, ``glean``, ``accounts_db``; columns found by name, e.g.
   ``jsonPayload__fields__uid``, ``metrics__string__account_user_id``,
   ``normalizedEmail``, ``httpRequest__remoteIp``) is collected, and every text column (VARCHAR,
   JSON, and STRUCT/LIST/MAP cast to text) of every relation outside the raw and staging schemas
   is searched for any of them (as tokens: hex runs, email-like words, dotted IPs).
2. No event of an opted-out user at or after the opt-out time is counted anywhere: the forbidden
   events are derived from the raw logs, raw Glean rows and raw accounts snapshots (rule R1 with
   the snapshot that governs the day, R2/R4), then checked against the event tables by key, the
   user rollups by hashed id and day, and the aggregates by reconciliation with the event tables.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import duckdb

LOG = logging.getLogger(__name__)

RAW_SCHEMAS = ("fxa_logs", "glean", "accounts_db")
NOT_MODELS = {*RAW_SCHEMAS, "stripe", "apple", "google", "reference", "staging"}
# last `__` segment of a raw column name (lower-cased) -> identifier kind
RAW_ID_COLUMNS = {
    "uid": "uid",
    "user_id": "uid",
    "account_user_id": "uid",
    "device_id": "device_id",
    "deviceid": "device_id",
    "email": "email",
    "normalizedemail": "email",
    "ip": "ip",
    "remoteip": "ip",
    "clientaddress": "ip",
    "remoteaddresschain": "ip",
    "remote_addr": "ip",
    "x_forwarded_for": "ip",
}
U1 = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"  # docs/fxa_events.md section 5
TEXT_TYPES = ("VARCHAR", "JSON")


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def columns_of(
    connection: duckdb.DuckDBPyConnection, where: str
) -> dict[tuple[str, str], list[tuple[str, str]]]:
    rows = connection.execute(
        "select table_schema, table_name, column_name, data_type "
        "from information_schema.columns "
        f"where table_catalog = 'wh' and {where} "
        "order by table_schema, table_name, ordinal_position"
    ).fetchall()
    found: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for schema, table, column, data_type in rows:
        found.setdefault((schema, table), []).append((column, data_type))
    return found


def raw_identifiers(connection: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
    """Distinct raw identifier values of the raw inputs, by kind (uid, device_id, email, ip)."""
    schemas = ", ".join(f"'{schema}'" for schema in RAW_SCHEMAS)
    values: dict[str, set[str]] = {kind: set() for kind in set(RAW_ID_COLUMNS.values())}
    for (schema, table), columns in columns_of(connection, f"table_schema in ({schemas})").items():
        for column, _ in columns:
            kind = RAW_ID_COLUMNS.get(column.lower().split("__")[-1])
            if kind is None:
                continue
            rows = connection.execute(
                f'select distinct cast("{column}" as varchar) from wh.{schema}.{table} '
                f'where "{column}" is not null'
            ).fetchall()
            values[kind].update(row[0] for row in rows if len(row[0]) >= 6)
    return values


# candidate tokens in any text: maximal hex runs of 32+ chars (uids, device ids; a 64-hex hash is
# one token and never equals a raw value), email-like words, dotted IPv4 addresses
TOKEN_PATTERN = r"[0-9A-Fa-f]{32,}|[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+|[0-9]{1,3}(?:\.[0-9]{1,3}){3}"


def text_expression(column: str, data_type: str) -> str | None:
    if data_type in TEXT_TYPES:
        return f'"{column}"'
    if any(marker in data_type for marker in ("STRUCT", "[]", "MAP", "UNION")):
        return f'cast("{column}" as varchar)'
    return None


def scan(
    connection: duckdb.DuckDBPyConnection,
    schema: str,
    table: str,
    columns: list[tuple[str, str]],
) -> dict[str, int]:
    """Rows per text column of one relation holding a raw identifier (table raw_ids)."""
    expressions = {
        column: expression
        for column, data_type in columns
        if (expression := text_expression(column, data_type)) is not None
    }
    if not expressions:
        return {}
    relation = f"wh.{schema}.{table}"
    joined = ", ".join(f"coalesce({expression}, '')" for expression in expressions.values())
    hits = connection.execute(
        f"select count(*) from (select unnest(regexp_extract_all(concat_ws(chr(31), {joined}), "
        f"$p)) as token from {relation}) where token in (select value from raw_ids)",
        {"p": TOKEN_PATTERN},
    ).fetchall()[0][0]
    if hits == 0:
        return {}
    rows = []
    for column, expression in expressions.items():
        count = connection.execute(
            f"select count(*) from (select unnest(regexp_extract_all({expression}, $p)) as token "
            f"from {relation}) where token in (select value from raw_ids)",
            {"p": TOKEN_PATTERN},
        ).fetchall()[0][0]
        if count:
            rows.append((column, count))
    return dict(rows)


def test_no_raw_identifier_outside_raw_and_staging(wh: duckdb.DuckDBPyConnection) -> None:
    values = raw_identifiers(wh)
    LOG.info("raw identifiers: %s", {kind: len(found) for kind, found in values.items()})
    assert U1 in values["uid"], "the spec's U1 is missing from the raw inputs"
    for kind in ("uid", "device_id", "email", "ip"):
        assert len(values[kind]) >= 50, f"too few raw {kind} values to prove anything"
    wh.execute("create or replace temp table raw_ids (value varchar primary key)")
    wh.executemany(
        "insert into raw_ids values (?)",
        [(value,) for value in sorted(set().union(*values.values()))],
    )

    # positive control: the scanner finds them where they are (raw)
    raw = columns_of(wh, "table_schema = 'fxa_logs' and table_name = 'raw_fxa_log_stderr'")
    control = scan(wh, "fxa_logs", "raw_fxa_log_stderr", raw[next(iter(raw))])
    assert control.get("jsonPayload__fields__user_id", 0) > 0, control
    assert control.get("textPayload", 0) > 0, control

    excluded = ", ".join(f"'{schema}'" for schema in sorted(NOT_MODELS))
    relations = columns_of(wh, f"table_schema not in ({excluded})")
    fxa_relations = [key for key in relations if key[0] in {"firefox_accounts_derived"}]
    assert len(fxa_relations) >= 9, f"the FxA marts are missing from the warehouse: {relations}"
    leaks: dict[str, dict[str, int]] = {}
    for (schema, table), columns in relations.items():
        found = scan(wh, schema, table, columns)
        if found:
            leaks[f"{schema}.{table}"] = found
    LOG.info("scanned %d relations outside raw/staging", len(relations))
    assert not leaks, f"raw identifiers (uid/device/email/ip) found outside raw/staging: {leaks}"


# --- opt-out: nothing at or after the opt-out time counts (R1), state removed next day (R2) ---


@dataclass(frozen=True)
class OptOutState:
    """The opt-out time (or None) that governs each event day of one user."""

    by_day: dict[date, datetime | None]

    def governs(self, day: date) -> datetime | None:
        return self.by_day.get(day)


def opt_out_states(connection: duckdb.DuckDBPyConnection) -> dict[str, OptOutState]:
    """Per hashed user: the opt-out time governing each day (the snapshot of the next day).

    The last snapshot taken on day S is the state for events of day S - 1 (it was taken after
    that day ended); days before the first snapshot take the first one.
    """
    rows = connection.execute(
        "select uid, cast(metricsOptOutAt as timestamp), cast(_snapshot_at as timestamp) "
        "from wh.accounts_db.raw_fxa_accounts order by _snapshot_at"
    ).fetchall()
    last_of_day: dict[date, datetime] = {}
    for _, _, snapshot_at in rows:
        day = snapshot_at.date()
        last_of_day[day] = max(last_of_day.get(day, snapshot_at), snapshot_at)
    keep = set(last_of_day.values())
    per_user: dict[str, dict[date, datetime | None]] = {}
    for uid, opt_out_at, snapshot_at in rows:
        if snapshot_at in keep:
            per_user.setdefault(sha256_hex(uid), {})[snapshot_at.date() - timedelta(days=1)] = (
                opt_out_at
            )
    first_day = min(last_of_day) - timedelta(days=1)
    states: dict[str, OptOutState] = {}
    for user, by_day in per_user.items():
        if all(value is None for value in by_day.values()):
            continue
        filled: dict[date, datetime | None] = {}
        earliest = min(by_day)
        day = first_day - timedelta(days=400)
        while day < earliest:
            filled[day] = by_day[earliest]
            day += timedelta(days=1)
        filled.update(by_day)
        states[user] = OptOutState(filled)
    return states


def forbidden_log_events(
    connection: duckdb.DuckDBPyConnection, states: dict[str, OptOutState]
) -> list[tuple[str, str, str, datetime]]:
    """(hashed user, insertId, logName, timestamp) of raw log events at/after the opt-out."""
    rows = connection.execute(
        "select jsonPayload__fields__user_id, insertId, logName, cast(timestamp as timestamp) "
        "from wh.fxa_logs.raw_fxa_log_stderr where jsonPayload__fields__user_id is not null "
        "and timestamp is not null union all "
        "select jsonPayload__fields__user_id, insertId, logName, cast(timestamp as timestamp) "
        "from wh.fxa_logs.raw_fxa_log_stdout where jsonPayload__fields__user_id is not null "
        "and timestamp is not null"
    ).fetchall()
    forbidden = []
    for uid, insert_id, log_name, timestamp in rows:
        user = sha256_hex(uid)
        state = states.get(user)
        opt_out_at = state.governs(timestamp.date()) if state else None
        if opt_out_at is not None and timestamp >= opt_out_at:
            forbidden.append((user, insert_id, log_name, timestamp))
    return forbidden


def forbidden_glean_events(
    connection: duckdb.DuckDBPyConnection, states: dict[str, OptOutState]
) -> list[tuple[str, str, datetime]]:
    """(hashed user, event_id, event time) of raw Glean events at/after the opt-out."""
    rows = connection.execute(
        "select metrics__string__account_user_id_sha256, event_id, "
        "cast(coalesce(event_timestamp, submission_timestamp) as timestamp), "
        "cast(submission_timestamp as timestamp) "
        "from wh.glean.accounts_backend_events_stream "
        "where metrics__string__account_user_id_sha256 is not null union all "
        "select metrics__string__account_user_id_sha256, event_id, "
        "cast(coalesce(event_timestamp, submission_timestamp) as timestamp), "
        "cast(submission_timestamp as timestamp) "
        "from wh.glean.accounts_frontend_events_stream "
        "where metrics__string__account_user_id_sha256 is not null"
    ).fetchall()
    forbidden = []
    for user, event_id, event_at, submitted_at in rows:
        state = states.get(user)
        opt_out_at = state.governs(submitted_at.date()) if state else None
        if opt_out_at is not None and event_at >= opt_out_at:
            forbidden.append((user, event_id, event_at))
    return forbidden


def opted_out_days(states: dict[str, OptOutState]) -> set[tuple[str, date]]:
    """(user, day) where the user is out for the whole day: opted out on an earlier day (R2)."""
    days = set()
    for user, state in states.items():
        for day, opt_out_at in state.by_day.items():
            if opt_out_at is not None and opt_out_at.date() < day:
                days.add((user, day))
    return days


def test_no_event_after_opt_out_is_counted(wh: duckdb.DuckDBPyConnection) -> None:
    states = opt_out_states(wh)
    s3_user = sha256_hex(f"5c03{'0' * 26}01")
    assert s3_user in states, "scenario S3's opted-out user is missing from the snapshots"
    log_events = forbidden_log_events(wh, states)
    glean_events = forbidden_glean_events(wh, states)
    LOG.info("forbidden: %d log events, %d Glean events", len(log_events), len(glean_events))
    assert len(log_events) >= 20, "the demo data has too few opted-out log events to prove R1"
    assert any(user == s3_user for user, *_ in log_events), "S3's stray 15:00 event is missing"
    wh.execute("create temp table forbidden_log (user_id varchar, insert_id varchar)")
    wh.executemany(
        "insert into forbidden_log values (?, ?)", [(row[0], row[1]) for row in log_events]
    )
    wh.execute("create temp table forbidden_glean (user_id varchar, event_id varchar)")
    wh.executemany(
        "insert into forbidden_glean values (?, ?)", [(row[0], row[1]) for row in glean_events]
    )
    out_days = opted_out_days(states)
    wh.execute("create temp table opted_out_days (user_id varchar, day date)")
    wh.executemany("insert into opted_out_days values (?, ?)", sorted(out_days))

    # R1 on the event tables, by key
    for relation in (
        "firefox_accounts_derived.fxa_all_events_v1",
        "firefox_accounts.fxa_all_events",
    ):
        counted = wh.execute(
            f"select count(*) from wh.{relation} as events inner join forbidden_log "
            "on events._insert_id = forbidden_log.insert_id "
            "and events.user_id = forbidden_log.user_id"
        ).fetchall()[0][0]
        assert counted == 0, f"{relation}: {counted} events at/after the user's opt-out"
    glean_counted = wh.execute(
        "select count(*) from wh.intermediate.int_glean_events as events "
        "inner join forbidden_glean on events.event_id = forbidden_glean.event_id"
    ).fetchall()[0][0]
    assert glean_counted == 0, f"{glean_counted} Glean events at/after the opt-out admitted"

    # R1 + R2 on every user-level relation: no row for a user on a day they are opted out
    excluded = ", ".join(f"'{schema}'" for schema in sorted(NOT_MODELS))
    checked = []
    for (schema, table), columns in columns_of(
        wh, f"table_schema not in ({excluded}) and table_schema != 'intermediate'"
    ).items():
        names = {column for column, _ in columns}
        user = next((c for c in ("user_id", "user_id_sha256") if c in names), None)
        day = next(
            (c for c in ("submission_date", "first_seen_date", "line_date") if c in names), None
        )
        if user is None or day is None:
            continue
        rows = wh.execute(
            f"select count(*) from wh.{schema}.{table} as model inner join opted_out_days "
            f"on model.{user} = opted_out_days.user_id and model.{day} = opted_out_days.day"
        ).fetchall()[0][0]
        checked.append(f"{schema}.{table}")
        assert rows == 0, f"{schema}.{table}: {rows} rows of users on days they were opted out"
    assert "firefox_accounts_derived.fxa_users_last_seen_v1" in checked
    assert "accounts_backend_derived.users_services_last_seen_v1" in checked

    # aggregates are built from the filtered event/user tables only
    mismatched = wh.execute(
        "select count(*) from ("
        "select submission_date, count(*) as n from wh.firefox_accounts_derived.fxa_all_events_v1 "
        "group by all) as events full outer join ("
        "select submission_date, sum(event_count) as n "
        "from wh.firefox_accounts_derived.fxa_event_counts_daily_v1 group by all) as counts "
        "using (submission_date) where events.n is distinct from counts.n"
    ).fetchall()[0][0]
    assert mismatched == 0, "fxa_event_counts_daily_v1 does not add up to fxa_all_events_v1"
    mismatched = wh.execute(
        "select count(*) from ("
        "select submission_date, count(*) as n "
        "from wh.firefox_accounts_derived.fxa_users_last_seen_v1 group by all) as users "
        "inner join (select submission_date, sum(mau) as n "
        "from wh.firefox_accounts_derived.exact_mau28_v1 group by all) as mau "
        "using (submission_date) where users.n != mau.n"
    ).fetchall()[0][0]
    assert mismatched == 0, "exact_mau28_v1 does not add up to fxa_users_last_seen_v1"
    mismatched = wh.execute(
        "select count(*) from ("
        "select submission_date, count(*) as n from wh.intermediate.int_glean_events "
        "group by all) as events full outer join ("
        "select submission_date, sum(event_count) as n "
        "from wh.accounts_backend_derived.accounts_event_counts_daily_v1 group by all) as counts "
        "using (submission_date) where events.n is distinct from counts.n"
    ).fetchall()[0][0]
    assert mismatched == 0, "accounts_event_counts_daily_v1 does not add up to the Glean events"
