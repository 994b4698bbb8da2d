"""Rebuild a range of days in order, one `dbt build` per day: `make backfill START= END=`.

    python -m fxa_metrics_tools.backfill 2024-03-01 2024-03-31 [--resume]

Each day gets exactly what a scheduled daily DAG run gets: the run date in the environment
(`run_date_env` of dags/fxa_metrics_common.py, read by macros/run_day.sql) and the DAG's
exclusions; dbt derives the FxA and SubPlat processing days from it and the delay vars. The
stateful tables (`*_last_seen`, `*_first_seen`, monthly actives) need the days oldest first, so
the command stops at the first failing day and records the last day that succeeded in a state
file; `--resume` starts again at the failed day.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_DIR / "dags"))
from fxa_metrics_common import EXCLUDE, run_date_env  # noqa: E402

from fxa_metrics_tools import warehouse_lock  # noqa: E402

DEFAULT_STATE = PROJECT_DIR / "target" / "backfill_state.json"
BAR_WIDTH = 30


class BackfillError(RuntimeError):
    """A bad range or state file, with what to do about it."""


def parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BackfillError(f"not a day as YYYY-MM-DD: {text!r}") from None


def days_between(start: date, end: date) -> list[date]:
    if start > end:
        raise BackfillError(f"START {start} is after END {end}")
    return [start + timedelta(days=offset) for offset in range((end - start).days + 1)]


def read_state(path: Path, start: date, end: date) -> date | None:
    """The last day a previous backfill of the same range completed, or None."""
    if not path.is_file():
        return None
    state = json.loads(path.read_text())
    if state.get("start") != start.isoformat() or state.get("end") != end.isoformat():
        raise BackfillError(
            f"{path} belongs to the backfill {state.get('start')}..{state.get('end')}, not "
            f"{start}..{end}: run that range with --resume, or delete the file"
        )
    completed = state.get("completed")
    return date.fromisoformat(completed) if completed else None


def write_state(path: Path, start: date, end: date, completed: date | None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "completed": completed.isoformat() if completed else None,
    }
    path.write_text(json.dumps(state, indent=2) + "\n")


def progress_line(done: int, total: int, day: date, seconds: float, elapsed: float) -> str:
    filled = BAR_WIDTH * done // total
    remaining = (elapsed / done) * (total - done) if done else 0.0
    return (
        f"backfill [{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done}/{total} {day} ok "
        f"in {seconds:.1f} s, about {remaining / 60:.1f} min left"
    )


def dbt_build_command(dbt: str, extra: Sequence[str]) -> list[str]:
    return [dbt, "build", "--exclude", *EXCLUDE, *extra]


def run_day(command: Sequence[str], day: date) -> int:
    """One day's dbt process, under the warehouse lock (one DuckDB writer at a time)."""
    env = {**os.environ, **run_date_env(day.isoformat())}
    path = warehouse_lock.duckdb_path_from_env(env)
    with warehouse_lock.hold(path, command=f"backfill {day}: {' '.join(command)}"):
        return subprocess.run(list(command), cwd=PROJECT_DIR, env=env, check=False).returncode


def backfill(
    start: date,
    end: date,
    command: Sequence[str],
    state_path: Path,
    resume: bool = False,
    runner: Callable[[Sequence[str], date], int] = run_day,
    out: Callable[[str], None] = print,
) -> int:
    """Run `command` once per day of start..end in order; 0 when every day succeeded."""
    days = days_between(start, end)
    first = 0
    if resume:
        completed = read_state(state_path, start, end)
        if completed is not None:
            first = days.index(completed) + 1
            if first == len(days):
                out(f"backfill: {start}..{end} already complete ({state_path})")
                return 0
            out(f"backfill: resuming at {days[first]} ({first} of {len(days)} days done)")
    else:
        write_state(state_path, start, end, None)
    began = time.monotonic()
    for index in range(first, len(days)):
        day = days[index]
        out(f"backfill: {day} (run date; {' '.join(command[1:])})")
        day_began = time.monotonic()
        code = runner(command, day)
        if code != 0:
            out(
                f"backfill: {day} failed (exit {code}); later days not run. "
                f"`make backfill START={start} END={end} RESUME=1` starts again at {day}"
            )
            return code
        write_state(state_path, start, end, day)
        out(
            progress_line(
                index + 1 - first,
                len(days) - first,
                day,
                time.monotonic() - day_began,
                time.monotonic() - began,
            )
        )
    out(f"backfill: {start}..{end} done, {len(days) - first} days")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("start", help="first day, YYYY-MM-DD")
    parser.add_argument("end", help="last day, YYYY-MM-DD (included)")
    parser.add_argument(
        "--resume", action="store_true", help="start at the day after the last completed one"
    )
    parser.add_argument("--state-file", type=Path, default=DEFAULT_STATE)
    parser.add_argument(
        "--dbt",
        default=os.environ.get("FXA_METRICS_DBT_EXECUTABLE", str(PROJECT_DIR / ".venv/bin/dbt")),
        help="dbt executable (default: .venv/bin/dbt, or FXA_METRICS_DBT_EXECUTABLE)",
    )
    parser.epilog = "Arguments after -- go to every `dbt build` (e.g. -- --select tag:x)."
    argv = list(sys.argv[1:] if argv is None else argv)
    split = argv.index("--") if "--" in argv else len(argv)
    args = parser.parse_args(argv[:split])
    extra = argv[split + 1 :]
    try:
        return backfill(
            parse_day(args.start),
            parse_day(args.end),
            dbt_build_command(args.dbt, extra),
            args.state_file,
            resume=args.resume,
        )
    except BackfillError as error:
        print(f"backfill: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
