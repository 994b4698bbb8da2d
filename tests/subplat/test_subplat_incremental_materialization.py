"""The DuckDB incremental of the subplat_grain tables (issue 15; the materialization is
macros/materializations/incremental_duckdb.sql): a day run is the pre-hook delete and one
insert-select, and a changed column list still stops the run (on_schema_change='fail') before
anything is deleted.

In a temporary DuckDB file holding a copy of the built demo's logical subscriptions history
(the only input of monthly_active_logical_subscriptions_v1). The row equality of day runs and
full refreshes, through this materialization, is
tests/subplat/test_subplat_incremental_equals_full_refresh.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from fxa_metrics_tools.testing import run_dbt

SCHEMA = "subscription_platform_derived"
MODEL = "monthly_active_logical_subscriptions_v1"
TABLE = f"{SCHEMA}.{MODEL}"
DAY = "2025-02-14"
DAY_VARS = '{"subplat_date": "' + DAY + '"}'
MONTH = "2025-02-01"


@pytest.fixture
def monthly_db(built_warehouse: Path, tmp_path: Path) -> Iterator[Path]:
    """A DuckDB file with the history and the monthly actives fully refreshed up to DAY."""
    path = tmp_path / "monthly.duckdb"
    with duckdb.connect(str(path)) as connection:
        connection.execute(f"attach '{built_warehouse}' as built (read_only)")
        connection.execute(f"create schema {SCHEMA}")
        connection.execute(
            f"create table {SCHEMA}.logical_subscriptions_history_v1 as "
            f"select * from built.{SCHEMA}.logical_subscriptions_history_v1"
        )
        connection.execute("detach built")
    run_dbt(["run", "--select", MODEL, "--full-refresh", "--vars", DAY_VARS], path, tmp_path / "t")
    yield path


def _rows(path: Path) -> tuple[int, int]:
    """(rows of the table, rows of MONTH)."""
    with duckdb.connect(str(path)) as connection:
        return connection.execute(
            f"select count(*), count(*) filter (where month_start_date = date '{MONTH}') "
            f"from {TABLE}"
        ).fetchall()[0]


def _runtime_sql(target: Path) -> str:
    [path] = (target / "run").rglob(f"{MODEL}.sql")
    return path.read_text()


def test_day_run_is_one_insert_select_of_the_period(monthly_db: Path, tmp_path: Path) -> None:
    total, in_month = _rows(monthly_db)
    assert in_month > 0, "the processed month is empty: the test proves nothing"
    with duckdb.connect(str(monthly_db)) as connection:
        # a stray row in the processed month (the pre-hook must delete it) and a row of an
        # earlier month with its own id (a day run must keep it: no rebuild)
        connection.execute(
            f"insert into {TABLE} select * replace ('stray' as id) from {TABLE} "
            f"where month_start_date = date '{MONTH}' limit 1"
        )
        connection.execute(
            f"insert into {TABLE} select * replace ('kept' as id) from {TABLE} "
            f"where month_start_date < date '{MONTH}' limit 1"
        )
    target = tmp_path / "day"
    run_dbt(["run", "--select", MODEL, "--vars", DAY_VARS], monthly_db, target)
    with duckdb.connect(str(monthly_db)) as connection:
        ids = dict(
            connection.execute(
                f"select id, count(*) from {TABLE} where id in ('stray', 'kept') group by id"
            ).fetchall()
        )
    assert ids == {"kept": 1}
    assert _rows(monthly_db) == (total + 1, in_month)
    main = " ".join(_runtime_sql(target).split()).lower()
    assert main.startswith(f'insert into "monthly"."{SCHEMA}"."{MODEL}" ("id", '), main[:200]
    assert "__dbt_tmp" not in main and "delete" not in main


@pytest.mark.parametrize(
    "change",
    [
        "add column extra_column integer",
        "drop column was_active_at_month_end",
        "alter column was_active_at_month_start type varchar",
    ],
)
def test_changed_columns_fail_before_anything_is_deleted(
    monthly_db: Path, tmp_path: Path, change: str
) -> None:
    with duckdb.connect(str(monthly_db)) as connection:
        connection.execute(f"alter table {TABLE} {change}")
    before = _rows(monthly_db)
    result = run_dbt(
        ["run", "--select", MODEL, "--vars", DAY_VARS], monthly_db, tmp_path / "t", check=False
    )
    assert result.returncode != 0
    assert "out of sync" in result.stdout, result.stdout[-3000:]
    assert _rows(monthly_db) == before
