"""Helpers the pytest suites share: project paths, the built warehouse path, dbt runners
(a subprocess one and an in-process session parsed once) and table comparisons.

Kept in an importable module (not in ``tests/conftest.py``) because several test folders have
their own ``conftest.py`` and ``from conftest import ...`` would pick the wrong one.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
VENV_BIN = PROJECT_DIR / ".venv" / "bin"


def warehouse_path() -> Path:
    """The DuckDB file `make build` / `make test` wrote (FXA_METRICS_DUCKDB_PATH)."""
    default = PROJECT_DIR / "warehouse" / "fxa_metrics.duckdb"
    return Path(os.environ.get("FXA_METRICS_DUCKDB_PATH", default))


def dbt_executable() -> str:
    """The project's dbt (``.venv/bin/dbt``), else whichever dbt is on PATH."""
    local = VENV_BIN / "dbt"
    return str(local) if local.exists() else (shutil.which("dbt") or "dbt")


def run_dbt(
    args: list[str], duckdb_path: Path, target_path: Path, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run the project's dbt against an explicit DuckDB file and target dir; output captured.

    Raises AssertionError with the tail of dbt's output when ``check`` and dbt fails.
    """
    env = dict(os.environ)
    env["FXA_METRICS_DUCKDB_PATH"] = str(duckdb_path)
    env.setdefault("DBT_PROFILES_DIR", str(PROJECT_DIR))
    env["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    cmd = [dbt_executable(), *args, "--target-path", str(target_path)]
    result = subprocess.run(
        cmd, cwd=PROJECT_DIR, env=env, capture_output=True, text=True, check=False
    )
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed:\n{result.stdout[-6000:]}\n{result.stderr}")
    return result


@contextmanager
def duckdb_path_env(path: Path) -> Iterator[Path]:
    """Point FXA_METRICS_DUCKDB_PATH (read by the dbt profile) at `path`; restore it after."""
    previous = os.environ.get("FXA_METRICS_DUCKDB_PATH")
    os.environ["FXA_METRICS_DUCKDB_PATH"] = str(path)
    try:
        yield path
    finally:
        if previous is None:
            os.environ.pop("FXA_METRICS_DUCKDB_PATH", None)
        else:
            os.environ["FXA_METRICS_DUCKDB_PATH"] = previous


class DbtSession:
    """In-process dbt, parsed once, for many runs against one DuckDB file and target dir.

    The DuckDB file is the one FXA_METRICS_DUCKDB_PATH names (see ``duckdb_path_env``).
    ``run_flags`` are added to every ``dbt run``. ``parse_vars`` are fixed for the session:
    vars that dbt renders at parse time (source database/schema) must be given here, not to
    ``run``.
    """

    def __init__(
        self,
        target_path: Path,
        run_flags: Sequence[str] = (),
        parse_vars: dict[str, str] | None = None,
    ) -> None:
        from dbt.cli.main import dbtRunner

        self.common = [
            "--project-dir",
            str(PROJECT_DIR),
            "--profiles-dir",
            os.environ.get("DBT_PROFILES_DIR", str(PROJECT_DIR)),
            "--target-path",
            str(target_path),
            "--log-path",
            str(target_path / "logs"),
            "--quiet",
        ]
        self.parse_vars = dict(parse_vars or {})
        self.run_flags = list(run_flags)
        parsed = dbtRunner().invoke(["parse", *self.common, "--vars", json.dumps(self.parse_vars)])
        if not parsed.success:
            raise AssertionError(f"dbt parse failed: {parsed.exception}")
        self.manifest = parsed.result
        self.runner = dbtRunner(manifest=self.manifest)

    def run(
        self, select: Sequence[str], dbt_vars: dict[str, str], full_refresh: bool = False
    ) -> None:
        args = ["run", *self.common, "--threads", "2", *self.run_flags, "--select", *select]
        args += ["--vars", json.dumps({**self.parse_vars, **dbt_vars})]
        if full_refresh:
            args.append("--full-refresh")
        result = self.runner.invoke(args)
        if not result.success:
            raise AssertionError(
                f"dbt run with {dbt_vars} failed: {result.exception or result.result}"
            )


def snapshot_tables(path: Path, relations: dict[str, str], into_schema: str) -> None:
    """Copy each relation (name -> schema.table) to ``into_schema.<name>``."""
    import duckdb

    with duckdb.connect(str(path)) as connection:
        connection.execute(f"create schema if not exists {into_schema}")
        for name, relation in relations.items():
            connection.execute(
                f"create or replace table {into_schema}.{name} as select * from {relation}"
            )


def table_differences(
    path: Path, pairs: dict[str, tuple[str, str]]
) -> dict[str, tuple[int, int, int]]:
    """Per name -> (expected, actual): (expected rows, expected rows missing from actual,
    unexpected rows in actual), compared row for row with EXCEPT ALL both ways."""
    import duckdb

    def count(connection: duckdb.DuckDBPyConnection, sql: str) -> int:
        return connection.execute(sql).fetchall()[0][0]

    found: dict[str, tuple[int, int, int]] = {}
    with duckdb.connect(str(path)) as connection:
        for name, (expected, actual) in pairs.items():
            found[name] = (
                count(connection, f"select count(*) from {expected}"),
                count(
                    connection,
                    f"select count(*) from (select * from {expected} "
                    f"except all select * from {actual})",
                ),
                count(
                    connection,
                    f"select count(*) from (select * from {actual} "
                    f"except all select * from {expected})",
                ),
            )
    return found
