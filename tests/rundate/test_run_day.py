"""The run-date contract (macros/run_day.sql): one date in, both processing days derived.

The DAGs and the backfill pass only the run's logical date, as FXA_METRICS_RUN_DATE; dbt derives
`submission_date` (FxA rollups) and `subplat_date` (SubPlat actives) from it and the delay vars of
dbt_project.yml. These tests compile two models in a throw-away target and read the days out of
the compiled SQL, so they need no built warehouse.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from fxa_metrics_tools.testing import run_dbt

FXA_MODEL = "fxa_users_daily_v1"
SUBPLAT_MODEL = "daily_active_logical_subscriptions_v1"
COMPILED = {
    FXA_MODEL: "models/marts/firefox_accounts_derived/fxa_users_daily_v1.sql",
    SUBPLAT_MODEL: "models/marts/subscription_platform_derived/"
    "daily_active_logical_subscriptions_v1.sql",
}
REPARSE = "Unable to do partial parsing"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("run_day")
    target, duckdb_path = root / "target", root / "empty.duckdb"
    run_dbt(["parse", "--quiet"], duckdb_path, target)
    return target, duckdb_path


def compile_days(
    workspace: tuple[Path, Path], run_date: str | None, *extra: str, check: bool = True
) -> tuple[dict[str, set[str]], str]:
    """Compile both models with FXA_METRICS_RUN_DATE=run_date; the dates in each, dbt's output."""
    target, duckdb_path = workspace
    previous = os.environ.pop("FXA_METRICS_RUN_DATE", None)
    if run_date is not None:
        os.environ["FXA_METRICS_RUN_DATE"] = run_date
    try:
        result = run_dbt(
            ["compile", "-s", FXA_MODEL, SUBPLAT_MODEL, *extra], duckdb_path, target, check=check
        )
    finally:
        os.environ.pop("FXA_METRICS_RUN_DATE", None)
        if previous is not None:
            os.environ["FXA_METRICS_RUN_DATE"] = previous
    days = {}
    if result.returncode == 0:
        for model, relative in COMPILED.items():
            sql = (target / "compiled" / "fxa_metrics" / relative).read_text()
            days[model] = set(re.findall(r"'(\d{4}-\d{2}-\d{2})'", sql))
    return days, result.stdout + result.stderr


def test_one_run_date_gives_both_days_and_keeps_the_parse(workspace: tuple[Path, Path]) -> None:
    days, output = compile_days(workspace, "2024-03-10")
    assert days[FXA_MODEL] == {"2024-03-10"}
    assert days[SUBPLAT_MODEL] == {"2024-03-03"}  # subplat_delay_days = 7
    assert REPARSE not in output
    # the next day: new dates, and dbt still reuses its saved parse
    days, output = compile_days(workspace, "2024-03-11")
    assert days[FXA_MODEL] == {"2024-03-11"}
    assert days[SUBPLAT_MODEL] == {"2024-03-04"}
    assert REPARSE not in output


def test_changing_the_delay_var_alone_moves_the_subplat_day(workspace: tuple[Path, Path]) -> None:
    days, _ = compile_days(workspace, "2024-03-10", "--vars", "{subplat_delay_days: 3}")
    assert days[SUBPLAT_MODEL] == {"2024-03-07"}
    assert days[FXA_MODEL] == {"2024-03-10"}


def test_an_explicit_day_var_wins_over_the_run_date(workspace: tuple[Path, Path]) -> None:
    days, _ = compile_days(workspace, "2024-03-10", "--vars", "{submission_date: '2024-02-29'}")
    assert days[FXA_MODEL] == {"2024-02-29"}
    assert days[SUBPLAT_MODEL] == {"2024-03-03"}


def test_a_malformed_run_date_is_named(workspace: tuple[Path, Path]) -> None:
    days, output = compile_days(workspace, "10/03/2024", check=False)
    assert not days
    assert "FXA_METRICS_RUN_DATE must be a day as YYYY-MM-DD, got '10/03/2024'" in output
