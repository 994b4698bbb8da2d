"""The warehouse lock: a second writer waits (naming the holder) instead of failing.

Real processes and a real DuckDB file: two writers started together through the CLI both
succeed, one after the other, where without the lock DuckDB refuses the second one.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from fxa_metrics_tools import warehouse_lock

PROJECT_DIR = Path(__file__).resolve().parents[2]

# Opens the DuckDB file for writing, keeps it open for a while, appends one row.
WRITER = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
con.execute("create table if not exists t (writer varchar)")
time.sleep(float(sys.argv[3]))
con.execute("insert into t values (?)", [sys.argv[2]])
con.close()
"""


def start_writer(db: Path, name: str, hold_seconds: float, locked: bool) -> subprocess.Popen:
    command = [sys.executable, "-c", WRITER, str(db), name, str(hold_seconds)]
    if locked:
        command = [sys.executable, "-m", "fxa_metrics_tools.warehouse_lock", "--", *command]
    env = {**os.environ, "FXA_METRICS_DUCKDB_PATH": str(db), "PYTHONPATH": str(PROJECT_DIR)}
    env.pop(warehouse_lock.HELD_ENV, None)
    env.pop("FXA_METRICS_TARGET", None)
    return subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def wait_for_holder(db: Path) -> None:
    lock_file = warehouse_lock.lock_path_for(db)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if lock_file.exists() and lock_file.read_text():
            return
        time.sleep(0.05)
    raise AssertionError(f"the first writer never took {lock_file}")


def rows(db: Path) -> list[str]:
    with duckdb.connect(str(db), read_only=True) as con:
        return [row[0] for row in con.execute("select writer from t order by writer").fetchall()]


def test_two_locked_writers_both_succeed_and_the_second_names_the_first(tmp_path: Path) -> None:
    db = tmp_path / "warehouse.duckdb"
    first = start_writer(db, "first", hold_seconds=3, locked=True)
    wait_for_holder(db)
    second = start_writer(db, "second", hold_seconds=0, locked=True)
    out_first, err_first = first.communicate(timeout=60)
    out_second, err_second = second.communicate(timeout=60)
    assert first.returncode == 0, err_first
    assert second.returncode == 0, err_second
    assert rows(db) == ["first", "second"]
    assert f"waiting for {db}.lock, held by pid {first.pid}" in err_second
    assert "got " in err_second and "Could not set lock" not in err_second
    assert warehouse_lock.lock_path_for(db).read_text() == ""  # released, holder info cleared


def test_without_the_lock_duckdb_refuses_the_second_writer(tmp_path: Path) -> None:
    """The failure the lock prevents (and proof that the test above can fail)."""
    db = tmp_path / "warehouse.duckdb"
    first = start_writer(db, "first", hold_seconds=3, locked=False)
    time.sleep(1.5)  # the first one has the file open
    second = start_writer(db, "second", hold_seconds=0, locked=False)
    _, err_second = second.communicate(timeout=60)
    first.communicate(timeout=60)
    assert second.returncode != 0
    assert "lock" in err_second.lower()


def test_nested_lock_on_the_same_file_does_not_wait_for_its_parent(tmp_path: Path) -> None:
    db = tmp_path / "warehouse.duckdb"
    with warehouse_lock.hold(db, command="outer") as lock_file:
        assert os.environ[warehouse_lock.HELD_ENV] == str(lock_file)
        inner = [sys.executable, "-m", "fxa_metrics_tools.warehouse_lock", "--timeout", "2"]
        result = subprocess.run(
            [*inner, "--path", str(db), "--", sys.executable, "-c", "print('inner ran')"],
            env={**os.environ, "PYTHONPATH": str(PROJECT_DIR)},
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 0, result.stderr
    assert "inner ran" in result.stdout
    assert warehouse_lock.HELD_ENV not in os.environ


def test_timeout_names_the_holder(tmp_path: Path) -> None:
    db = tmp_path / "warehouse.duckdb"
    holder = start_writer(db, "first", hold_seconds=4, locked=True)
    wait_for_holder(db)
    with pytest.raises(warehouse_lock.WarehouseLockTimeout, match=f"pid {holder.pid}"):
        with warehouse_lock.hold(db, timeout=0.5, out=open(os.devnull, "w")):  # noqa: SIM115
            pass
    holder.communicate(timeout=60)


def test_no_op_on_bigquery_and_clear_error_without_a_path() -> None:
    assert warehouse_lock.duckdb_path_from_env({"FXA_METRICS_TARGET": "bigquery"}) is None
    with pytest.raises(ValueError, match="FXA_METRICS_DUCKDB_PATH is not set"):
        warehouse_lock.duckdb_path_from_env({})
    with warehouse_lock.hold(None) as lock_file:
        assert lock_file is None


def test_cli_returns_the_command_exit_code(tmp_path: Path) -> None:
    code = warehouse_lock.main(
        ["--path", str(tmp_path / "w.duckdb"), "--", sys.executable, "-c", "raise SystemExit(3)"]
    )
    assert code == 3
