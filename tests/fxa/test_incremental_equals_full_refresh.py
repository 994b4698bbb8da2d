"""Every incremental FxA model built day by day equals its set-based full refresh (issue 4).

On a temporary copy of the built demo warehouse (never the warehouse itself):

1. the upstream staging/intermediate views of the incremental models are frozen as tables in the
   copy (they carry no day filter, so this changes no result, only the speed of 36 runs);
2. a full refresh up to ``LAST_DAY`` (var ``submission_date``) is kept as the expected result;
3. the models are rebuilt set-based up to ``START_DAY`` and advanced one day at a time (one
   in-process dbt invocation per day, parsed once) for 36 days: 2024-02-26 .. 2024-04-01,
   crossing day 28 of the data (bits fall off) and the opt-out (S3, R2, R4), registration (S10)
   and deletion (S14) scenarios;
4. a sentinel row planted in every table after the set-based build (on a day after the loop)
   must survive (the day runs took the incremental path, not a rebuild), then the day-by-day
   tables must equal the expected ones row for row (EXCEPT ALL both ways);
5. a rerun of one day in the middle must change nothing.

A second case (issue 14) empties the sources of both last_seen tables on the trailing days of
the data (their daily inputs have no rows from ``TRAILING_FROM``, while the log lines go on to
``DATA_END``): a set-based build with no date must still write the carried rows up to
``DATA_END`` and equal the day-by-day build of those days.

The incremental models are discovered from the manifest (every incremental model of the FxA
datasets), so a new one is covered without editing this file.
"""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

from fxa_metrics_tools.testing import (
    DbtSession,
    duckdb_path_env,
    snapshot_tables,
    table_differences,
)

LOG = logging.getLogger(__name__)

FXA_SCHEMAS = {"firefox_accounts_derived", "accounts_backend_derived", "accounts_frontend_derived"}
START_DAY = date(2024, 2, 25)  # set-based up to here, then day by day
LAST_DAY = date(2024, 4, 1)  # 36 day runs: 2024-02-26 .. 2024-04-01
RERUN_DAY = date(2024, 3, 16)  # the day after S3's opt-out: R2 removes the user
# sentinel rows: after every day the loop writes (no day run reads or deletes that day, and a
# later day moves no "first date" of the data), inside the retention window
SENTINEL_DAY = date(2024, 6, 1)
DAY_COLUMNS = {"fxa_users_first_seen_v1": "first_seen_date"}  # keyed by user_id, not by day
# empty trailing days: the last day of the demo's log lines, the first emptied day of the daily
# inputs of the last_seen tables, and the day the day-by-day runs start after
DATA_END = date(2024, 4, 30)
TRAILING_FROM = date(2024, 4, 26)
TRAILING_START = date(2024, 4, 22)
LAST_SEEN_CHAIN = {
    "fxa_users_last_seen_v1": ("fxa_users_daily_v1", "fxa_all_events_v1"),
    "users_services_last_seen_v1": ("users_services_daily_v1", "int_glean_events"),
}


@dataclass(frozen=True)
class IncrementalModel:
    name: str
    schema: str
    day_column: str
    key_columns: tuple[str, ...]

    @property
    def relation(self) -> str:
        return f"{self.schema}.{self.name}"


def discover(manifest: Any) -> tuple[list[IncrementalModel], list[Any]]:
    """The incremental FxA models and the view nodes upstream of them (topological order)."""
    models: list[IncrementalModel] = []
    selected = []
    for node in manifest.nodes.values():
        if node.resource_type != "model" or node.schema not in FXA_SCHEMAS:
            continue
        if node.config.materialized != "incremental":
            continue
        key = node.config.unique_key
        keys = tuple([key] if isinstance(key, str) else key)
        day_column = DAY_COLUMNS.get(node.name) or next(k for k in keys if k.endswith("date"))
        models.append(IncrementalModel(node.name, node.schema, day_column, keys))
        selected.append(node)

    return sorted(models, key=lambda model: model.name), upstream_views(manifest, selected)


def upstream_views(manifest: Any, selected: list[Any]) -> list[Any]:
    """The view nodes upstream of `selected`, through views only."""
    views: dict[str, Any] = {}
    pending = [parent for node in selected for parent in node.depends_on.nodes]
    while pending:
        unique_id = pending.pop()
        node = manifest.nodes.get(unique_id)
        if node is None or unique_id in views or node.resource_type != "model":
            continue
        if node.config.materialized == "view":
            views[unique_id] = node
            pending.extend(node.depends_on.nodes)
    return list(views.values())


@pytest.fixture(scope="module")
def warehouse_copy(
    built_warehouse: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("fxa_incremental") / "fxa_incremental.duckdb"
    shutil.copyfile(built_warehouse, path)
    with duckdb_path_env(path):
        yield path


@pytest.fixture(scope="module")
def session(warehouse_copy: Path, tmp_path_factory: pytest.TempPathFactory) -> DbtSession:
    """One in-process dbt, parsed once for both cases. Each run reads the DuckDB path from
    FXA_METRICS_DUCKDB_PATH: the first case's copy, or the path the second case sets."""
    target = tmp_path_factory.mktemp("fxa_incremental_target")
    return DbtSession(target, run_flags=["--no-populate-cache", "--no-write-json"])


def day_vars(day: date) -> dict[str, str]:
    return {"submission_date": day.isoformat()}


def freeze_views(path: Path, views: list[Any]) -> None:
    """Replace each upstream view by a table with its rows (same name, same schema)."""
    with duckdb.connect(str(path)) as connection:
        for node in views:
            relation = f"{node.schema}.{node.alias}"
            connection.execute(f"create table {relation}__frozen as select * from {relation}")
            connection.execute(f"drop view {relation}")
            connection.execute(f"alter table {relation}__frozen rename to {node.alias}")


def snapshot(path: Path, models: list[IncrementalModel], into_schema: str) -> None:
    snapshot_tables(path, {model.name: model.relation for model in models}, into_schema)


def plant_sentinels(path: Path, models: list[IncrementalModel], source_schema: str) -> None:
    """One row per table (copied from the expected result, as the table may still be empty),
    moved to SENTINEL_DAY and given a key no day run produces."""
    with duckdb.connect(str(path)) as connection:
        for model in models:
            replaced = [f"date '{SENTINEL_DAY}' as {model.day_column}"]
            replaced += [
                f"'sentinel' as {key}" for key in model.key_columns if key != model.day_column
            ]
            connection.execute(
                f"insert into {model.relation} select * replace ({', '.join(replaced)}) "
                f"from {source_schema}.{model.name} limit 1"
            )


def remove_sentinels(path: Path, models: list[IncrementalModel]) -> dict[str, int]:
    found: dict[str, int] = {}
    with duckdb.connect(str(path)) as connection:
        for model in models:
            where = f"{model.day_column} = date '{SENTINEL_DAY}'"
            count = connection.execute(f"select count(*) from {model.relation} where {where}")
            found[model.name] = count.fetchall()[0][0]
            connection.execute(f"delete from {model.relation} where {where}")
    return found


def differences(
    path: Path, models: list[IncrementalModel], expected_schema: str
) -> dict[str, tuple[int, int, int]]:
    """Per model: (expected rows, rows missing from actual, unexpected rows in actual)."""
    pairs = {model.name: (f"{expected_schema}.{model.name}", model.relation) for model in models}
    return table_differences(path, pairs)


@pytest.mark.slow
def test_day_by_day_equals_full_refresh_and_rerun_is_idempotent(
    warehouse_copy: Path, session: DbtSession
) -> None:
    started = time.monotonic()
    models, views = discover(session.manifest)
    names = {model.name for model in models}
    assert {"fxa_users_last_seen_v1", "users_services_last_seen_v1", "exact_mau28_v1"} <= names
    assert len(models) >= 15, f"expected every incremental FxA model, found {sorted(names)}"
    select = sorted(names)
    freeze_views(warehouse_copy, views)
    LOG.info("%d incremental models, %d upstream views frozen", len(models), len(views))

    session.run(select, day_vars(LAST_DAY), full_refresh=True)
    snapshot(warehouse_copy, models, "expected_full_refresh")

    session.run(select, day_vars(START_DAY), full_refresh=True)
    plant_sentinels(warehouse_copy, models, "expected_full_refresh")
    day = START_DAY + timedelta(days=1)
    day_runs = 0
    while day <= LAST_DAY:
        session.run(select, day_vars(day))
        day_runs += 1
        day += timedelta(days=1)
    assert day_runs >= 35

    survivors = remove_sentinels(warehouse_copy, models)
    rebuilt = sorted(name for name, count in survivors.items() if count != 1)
    assert not rebuilt, f"day runs rebuilt these tables instead of running incrementally: {rebuilt}"

    result = differences(warehouse_copy, models, "expected_full_refresh")
    LOG.info("day by day vs full refresh: %s", result)
    for model, (total, missing, extra) in result.items():
        assert total > 0, f"{model}: the full refresh is empty, the comparison proves nothing"
        assert (missing, extra) == (0, 0), (
            f"{model}: day-by-day build differs from the full refresh up to {LAST_DAY}: "
            f"{missing} expected rows missing, {extra} unexpected rows"
        )

    snapshot(warehouse_copy, models, "expected_before_rerun")
    session.run(select, day_vars(RERUN_DAY))
    for model, (_, missing, extra) in differences(
        warehouse_copy, models, "expected_before_rerun"
    ).items():
        assert (missing, extra) == (0, 0), (
            f"{model}: rerunning {RERUN_DAY} changed the table ({missing} rows lost, {extra} new)"
        )
    LOG.info("incremental test: %d day runs in %.0f s", day_runs, time.monotonic() - started)


def relation_of(manifest: Any, name: str) -> str:
    node = next(node for node in manifest.nodes.values() if node.name == name)
    return f"{node.schema}.{node.alias}"


@pytest.mark.slow
def test_set_based_last_seen_reaches_the_last_data_day_over_empty_trailing_days(
    built_warehouse: Path, session: DbtSession, tmp_path: Path
) -> None:
    started = time.monotonic()
    # same file name as the first case's copy: dbt names the DuckDB catalog after it
    path = tmp_path / "fxa_incremental.duckdb"
    shutil.copyfile(built_warehouse, path)
    manifest = session.manifest
    chain = [
        name for last_seen, (daily, _) in LAST_SEEN_CHAIN.items() for name in (daily, last_seen)
    ]
    nodes = [node for node in manifest.nodes.values() if node.name in chain]
    models = [
        IncrementalModel(node.name, node.schema, "submission_date", ("submission_date",))
        for node in nodes
    ]
    with duckdb_path_env(path):
        freeze_views(path, upstream_views(manifest, nodes))
        with duckdb.connect(str(path)) as connection:
            for _, source in LAST_SEEN_CHAIN.values():
                connection.execute(
                    f"delete from {relation_of(manifest, source)} "
                    f"where submission_date >= date '{TRAILING_FROM}'"
                )
            outcomes = relation_of(manifest, "fxa_log_line_outcomes_daily_v1")
            last_line_day = connection.execute(f"select max(line_date) from {outcomes}")
            assert last_line_day.fetchall()[0][0] == DATA_END, "the demo's log lines moved"

        session.run(chain, {}, full_refresh=True)
        with duckdb.connect(str(path)) as connection:
            for last_seen, (daily, _) in LAST_SEEN_CHAIN.items():
                last_daily, last_row = connection.execute(
                    f"select (select max(submission_date) from {relation_of(manifest, daily)}),"
                    f" (select max(submission_date) from {relation_of(manifest, last_seen)})"
                ).fetchall()[0]
                assert last_daily < TRAILING_FROM, f"{daily} still has rows on the trailing days"
                assert last_row == DATA_END, (
                    f"{last_seen}: the set-based build (no date) ends on {last_row}, the data "
                    f"(and the day-by-day runs) on {DATA_END}; its source ends on {last_daily}"
                )
        snapshot(path, models, "expected_no_date")

        session.run(chain, day_vars(TRAILING_START), full_refresh=True)
        day = TRAILING_START + timedelta(days=1)
        while day <= DATA_END:
            session.run(chain, day_vars(day))
            day += timedelta(days=1)
        for model, (total, missing, extra) in differences(path, models, "expected_no_date").items():
            assert total > 0, (
                f"{model}: the set-based build is empty, the comparison proves nothing"
            )
            assert (missing, extra) == (0, 0), (
                f"{model}: with empty trailing days the day-by-day build differs from the "
                f"set-based one (no date): {missing} expected rows missing, {extra} unexpected"
            )
    LOG.info("trailing-days test in %.0f s", time.monotonic() - started)
