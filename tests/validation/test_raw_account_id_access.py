"""The raw Mozilla account id stays in the restricted schemas (decision: "Raw Mozilla account id"
in models/overview.md, the docs home page).

Over the built demo warehouse, read only:

1. no relation outside the restricted schemas has a column, or a struct field at any depth,
   named ``mozilla_account_id`` (``mozilla_account_id_sha256`` is allowed everywhere);
2. no text value of any relation outside them holds a raw account id of the raw SubPlat
   inputs (Stripe customer metadata userid, Apple and Google mozilla_account_id), searched as
   32-hex tokens in every column cast to text.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

LOG = logging.getLogger(__name__)

RESTRICTED_SCHEMAS = {
    "stripe",
    "apple",
    "google",
    "staging",
    "intermediate",
    "subscription_platform_derived",
    "subscription_platform",
}
RAW_FIELD = re.compile(r"\bmozilla_account_id\b", re.IGNORECASE)
RAW_IDS_SQL = """
    select distinct lower(json_extract_string(metadata, '$.userid')) as account_id
    from wh.stripe.customer where json_valid(metadata)
    union
    select distinct lower(mozilla_account_id) from wh.apple.subscriptions_history
    union
    select distinct lower(mozilla_account_id) from wh.google.subscriptions_history
"""


@pytest.fixture(scope="module")
def wh(built_warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect()
    connection.execute(f"attach '{built_warehouse}' as wh (read_only)")
    try:
        yield connection
    finally:
        connection.close()


def open_columns(wh: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str, str]]:
    """(schema, table, column, type) of every relation outside the restricted schemas."""
    return wh.execute(
        "select table_schema, table_name, column_name, data_type "
        "from information_schema.columns where table_catalog = 'wh' "
        f"and table_schema not in ({', '.join(repr(s) for s in sorted(RESTRICTED_SCHEMAS))}) "
        "and table_schema not in ('information_schema', 'pg_catalog', 'main')"
    ).fetchall()


def test_no_raw_account_id_column_or_field_outside_restricted_schemas(
    wh: duckdb.DuckDBPyConnection,
) -> None:
    columns = open_columns(wh)
    assert columns, "no relation outside the restricted schemas: the test would prove nothing"
    offenders = [
        f"{schema}.{table}.{column} ({data_type})"
        for schema, table, column, data_type in columns
        if RAW_FIELD.search(column) or RAW_FIELD.search(data_type)
    ]
    assert not offenders, f"raw mozilla_account_id outside the restricted schemas: {offenders}"


def test_no_raw_account_id_value_outside_restricted_schemas(
    wh: duckdb.DuckDBPyConnection,
) -> None:
    wh.execute(f"create or replace temp table raw_ids as {RAW_IDS_SQL}")
    (count,) = wh.execute("select count(*) from raw_ids where account_id is not null").fetchone()
    assert count > 10, f"only {count} raw account ids in the demo: the test would prove nothing"
    tables: dict[tuple[str, str], list[str]] = {}
    for schema, table, column, _ in open_columns(wh):
        tables.setdefault((schema, table), []).append(column)
    offenders = []
    for (schema, table), columns in sorted(tables.items()):
        texts = " || ' ' || ".join(f"coalesce(cast(\"{c}\" as varchar), '')" for c in columns)
        (hits,) = wh.execute(
            f"""
            select count(*) from (
                select unnest(regexp_extract_all(lower({texts}), '[0-9a-f]{{32,}}')) as token
                from wh."{schema}"."{table}"
            ) as tokens
            inner join raw_ids on tokens.token = raw_ids.account_id
            """
        ).fetchone()
        if hits:
            offenders.append(f"{schema}.{table}: {hits} raw account id(s)")
    LOG.info("searched %d relations outside the restricted schemas", len(tables))
    assert not offenders, offenders
