"""Parse and compile the project for a BigQuery target with no network and no credentials.

Usage::

    python -m fxa_metrics_tools.bigquery_offline --target-path target_bigquery
    python -m fxa_metrics_tools.bigquery_offline --target-path target_bigquery_incremental \\
        --assume-existing

`dbt parse` for BigQuery needs nothing. `dbt compile` opens a BigQuery client as soon as
something asks the warehouse a question: the relation cache (skipped with
`--no-populate-cache`) and `is_incremental()`, which calls `adapter.get_relation(this)`.
This module runs dbt in-process with those few adapter methods answered offline:

- default: no relation exists, so every incremental model compiles its full-refresh branch;
- `--assume-existing`: every relation exists as a table, so incremental models compile the
  `{% if is_incremental() %}` branch that production runs daily.

Any other attempt to open a connection fails with an error naming the model that asked,
so a model that introspects the warehouse (run_query, get_columns_in_relation, ...) is
caught here rather than in production. No keyfile is read; nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

LOG = logging.getLogger("fxa_metrics_tools.bigquery_offline")
PROJECT_DIR = Path(__file__).resolve().parents[1]


class OfflineConnectionError(RuntimeError):
    """Raised when compilation tries to reach BigQuery."""


@contextmanager
def offline_bigquery(assume_existing: bool) -> Iterator[None]:
    """Patch dbt-bigquery so that compilation never opens a client."""
    from dbt.adapters.bigquery.connections import BigQueryConnectionManager
    from dbt.adapters.bigquery.impl import BigQueryAdapter
    from dbt.adapters.bigquery.relation import BigQueryRelation

    def refuse_open(cls: Any, connection: Any) -> Any:
        raise OfflineConnectionError(
            f"offline BigQuery compile: connection {connection.name!r} tried to reach "
            "BigQuery (a model or macro introspects the warehouse; avoid run_query, "
            "get_columns_in_relation and similar in models)"
        )

    def close_unopened(cls: Any, connection: Any) -> Any:
        # dbt-bigquery's close() touches the lazy handle, which would open a client
        from dbt.adapters.contracts.connection import ConnectionState

        connection.state = ConnectionState.CLOSED
        return connection

    def get_relation(
        self: Any, database: str, schema: str, identifier: str
    ) -> BigQueryRelation | None:
        if not assume_existing:
            return None
        return BigQueryRelation.create(
            database=database, schema=schema, identifier=identifier, type="table"
        )

    def no_relations(self: Any, schema_relation: Any) -> list[Any]:
        return []

    def no_columns(self: Any, relation: Any) -> list[Any]:
        return []

    def schema_exists(self: Any, database: str, schema: str) -> bool:
        return assume_existing

    patches = [
        mock.patch.object(BigQueryConnectionManager, "open", classmethod(refuse_open)),
        mock.patch.object(BigQueryConnectionManager, "close", classmethod(close_unopened)),
        mock.patch.object(BigQueryAdapter, "get_relation", get_relation),
        mock.patch.object(BigQueryAdapter, "list_relations_without_caching", no_relations),
        mock.patch.object(BigQueryAdapter, "get_columns_in_relation", no_columns),
        mock.patch.object(BigQueryAdapter, "check_schema_exists", schema_exists),
    ]
    for patch in patches:
        patch.start()
    try:
        yield
    finally:
        for patch in reversed(patches):
            patch.stop()


def compile_offline(
    target_path: Path,
    *,
    target: str = "bigquery",
    assume_existing: bool = False,
    select: list[str] | None = None,
    log_path: Path | None = None,
    project_dir: Path = PROJECT_DIR,
) -> bool:
    """Run `dbt compile` for a BigQuery target offline; True when it succeeded."""
    from dbt.cli.main import dbtRunner

    os.environ["FXA_METRICS_TARGET"] = target
    os.environ.setdefault("DBT_PROFILES_DIR", str(project_dir))
    # the duckdb output in profiles.yml needs its variable even when it is not the target
    os.environ.setdefault("FXA_METRICS_DUCKDB_PATH", str(project_dir / "warehouse" / "unused"))
    os.environ["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    # no warehouse to list source columns: select_source_contract takes the declared contract
    os.environ["FXA_METRICS_SOURCE_COLUMNS"] = "contract"
    args = [
        "compile",
        "--project-dir",
        str(project_dir),
        "--target",
        target,
        "--target-path",
        str(target_path),
        "--log-path",
        str(log_path or target_path / "logs"),
        "--no-populate-cache",
        "--no-partial-parse",
        "--threads",
        "1",
    ]
    if select:
        args += ["--select", *select]
    with offline_bigquery(assume_existing):
        result = dbtRunner().invoke(args)
    if not result.success:
        LOG.error("dbt compile for %s failed: %s", target, result.exception or "see the log")
    return bool(result.success)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target-path", type=Path, required=True)
    parser.add_argument("--target", default="bigquery", choices=["bigquery", "bigquery_stage"])
    parser.add_argument(
        "--assume-existing",
        action="store_true",
        help="every relation exists: compile the is_incremental() branches",
    )
    parser.add_argument("--select", nargs="*", default=None)
    parser.add_argument("--project-dir", type=Path, default=PROJECT_DIR)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    ok = compile_offline(
        args.target_path.resolve(),
        target=args.target,
        assume_existing=args.assume_existing,
        select=args.select,
        project_dir=args.project_dir.resolve(),
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
