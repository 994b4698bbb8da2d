"""Fixtures of the FxA suites."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest


@pytest.fixture(scope="module")
def wh(built_warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory DuckDB with the built demo warehouse attached read-only as ``wh``
    (one per test module: temp tables a module creates stay in its own connection)."""
    connection = duckdb.connect()
    connection.execute(f"attach '{built_warehouse}' as wh (read_only)")
    try:
        yield connection
    finally:
        connection.close()
