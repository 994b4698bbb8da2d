"""The backfill command: days in order, the DAG's run-date environment, stop and resume."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import pytest

from fxa_metrics_tools import backfill as bf


def recording_runner(fail_on: set[date]) -> tuple[list[date], object]:
    seen: list[date] = []

    def runner(command: Sequence[str], day: date) -> int:
        seen.append(day)
        return 1 if day in fail_on else 0

    return seen, runner


def test_days_run_in_order_and_stop_at_the_first_failure(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    seen, runner = recording_runner({date(2024, 3, 3)})
    lines: list[str] = []
    code = bf.backfill(
        date(2024, 3, 1), date(2024, 3, 5), ["dbt", "build"], state, runner=runner,
        out=lines.append,
    )  # fmt: skip
    assert code == 1
    assert seen == [date(2024, 3, 1), date(2024, 3, 2), date(2024, 3, 3)]
    assert json.loads(state.read_text())["completed"] == "2024-03-02"
    assert any("2024-03-03 failed (exit 1); later days not run" in line for line in lines)
    assert any(line.startswith("backfill [") and "2/5" in line for line in lines)


def test_resume_starts_again_at_the_failed_day(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    _, failing = recording_runner({date(2024, 3, 3)})
    bf.backfill(date(2024, 3, 1), date(2024, 3, 5), ["dbt"], state, runner=failing, out=print)
    seen, runner = recording_runner(set())
    code = bf.backfill(
        date(2024, 3, 1), date(2024, 3, 5), ["dbt"], state, resume=True, runner=runner,
        out=print,
    )  # fmt: skip
    assert code == 0
    assert seen == [date(2024, 3, 3), date(2024, 3, 4), date(2024, 3, 5)]
    # a finished range has nothing left to resume
    seen, runner = recording_runner(set())
    assert bf.backfill(
        date(2024, 3, 1), date(2024, 3, 5), ["dbt"], state, resume=True, runner=runner,
        out=print,
    ) == 0  # fmt: skip
    assert seen == []


def test_resume_refuses_the_state_of_another_range(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    _, runner = recording_runner(set())
    bf.backfill(date(2024, 3, 1), date(2024, 3, 2), ["dbt"], state, runner=runner, out=print)
    with pytest.raises(bf.BackfillError, match="belongs to the backfill 2024-03-01..2024-03-02"):
        bf.backfill(
            date(2024, 4, 1), date(2024, 4, 2), ["dbt"], state, resume=True, runner=runner,
            out=print,
        )  # fmt: skip


def test_bad_ranges_are_named() -> None:
    with pytest.raises(bf.BackfillError, match="after END"):
        bf.days_between(date(2024, 3, 2), date(2024, 3, 1))
    with pytest.raises(bf.BackfillError, match="YYYY-MM-DD"):
        bf.parse_day("2024/03/01")


def test_each_dbt_process_gets_only_the_run_date(tmp_path: Path) -> None:
    """Through the real command line: a stand-in dbt records its arguments and environment."""
    log = tmp_path / "calls.jsonl"
    fake = tmp_path / "dbt"
    fake.write_text(
        f"#!{sys.executable}\n"
        "import json, os, sys\n"
        f"with open({str(log)!r}, 'a') as f:\n"
        "    f.write(json.dumps({'args': sys.argv[1:],"
        " 'day': os.environ.get('FXA_METRICS_RUN_DATE')}) + '\\n')\n"
    )
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    env = {k: v for k, v in os.environ.items() if k != "FXA_METRICS_RUN_DATE"}
    env.update(FXA_METRICS_TARGET="duckdb", FXA_METRICS_DUCKDB_PATH=str(tmp_path / "w.duckdb"))
    result = subprocess.run(
        [sys.executable, "-m", "fxa_metrics_tools.backfill", "2024-02-28", "2024-03-01",
         "--dbt", str(fake), "--state-file", str(tmp_path / "state.json"), "--", "-s", "x"],
        cwd=bf.PROJECT_DIR, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    calls = [json.loads(line) for line in log.read_text().splitlines()]
    assert [call["day"] for call in calls] == ["2024-02-28", "2024-02-29", "2024-03-01"]
    expected_args = [
        "build", "--exclude", "path:seeds/demo", "resource_type:unit_test", "path:tests/dbt/macros"
    ]  # fmt: skip
    assert all(call["args"] == [*expected_args, "-s", "x"] for call in calls)
    # no processing day is passed as a var: dbt derives both from the run date
    assert not any("--vars" in call["args"] for call in calls)
    # each day's dbt ran under the warehouse lock, released afterwards
    assert (tmp_path / "w.duckdb.lock").exists()
