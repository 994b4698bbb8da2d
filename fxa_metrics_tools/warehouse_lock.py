"""One writer per DuckDB warehouse: a blocking file lock next to the DuckDB file.

DuckDB lets one process open a database file for writing; a second one fails at once with
"Could not set lock on file". Every project command that opens the warehouse (dbt build, seed,
docs generate, the Airflow tasks) runs under this lock instead, so a second writer waits, saying
who holds the file, rather than failing.

The lock is `fcntl.flock` on `<duckdb path>.lock` (the DuckDB file itself is DuckDB's own). The
holder writes its pid, command and start time into that file; a waiting process prints them.
The kernel drops a flock when its holder exits, however it exits: no stale lock to clean up.

Standard library only: the dbt virtualenv (.venv) and Airflow's (.venv-airflow) both import it.

    python -m fxa_metrics_tools.warehouse_lock -- .venv/bin/dbt build ...

runs the command under the lock of `$FXA_METRICS_DUCKDB_PATH` (or `--path`), and returns its exit
code. On a non-DuckDB target (`FXA_METRICS_TARGET` other than duckdb) it is a no-op: it just runs
the command. A command started under the lock inherits FXA_METRICS_WAREHOUSE_LOCK_HELD, so a
nested `warehouse_lock` on the same file (a make target calling another) does not wait for its
own parent.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import shlex
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

HELD_ENV = "FXA_METRICS_WAREHOUSE_LOCK_HELD"
POLL_SECONDS = 0.2
REPORT_EVERY_SECONDS = 60.0


class WarehouseLockTimeout(TimeoutError):
    """The lock was still held by another process when the wait ran out."""


def lock_path_for(duckdb_path: str | os.PathLike[str]) -> Path:
    """The lock file of a DuckDB file: `<duckdb path>.lock`, next to it."""
    return Path(os.path.abspath(duckdb_path) + ".lock")


def duckdb_path_from_env(env: Mapping[str, str] | None = None) -> Path | None:
    """The DuckDB file the project's dbt profile writes, or None when the target is not DuckDB.

    Same rules as profiles.yml: target `FXA_METRICS_TARGET` (default duckdb), file
    `FXA_METRICS_DUCKDB_PATH`.
    """
    env = os.environ if env is None else env
    if env.get("FXA_METRICS_TARGET", "duckdb") != "duckdb":
        return None
    path = env.get("FXA_METRICS_DUCKDB_PATH")
    if not path:
        raise ValueError(
            "FXA_METRICS_DUCKDB_PATH is not set: the warehouse lock cannot tell which DuckDB "
            "file to lock (the Makefile sets it to warehouse/fxa_metrics.duckdb)"
        )
    return Path(path)


def describe_holder(lock_file: Path) -> str:
    """Who holds the lock, from what the holder wrote into the lock file."""
    try:
        info = json.loads(lock_file.read_text() or "{}")
    except (OSError, ValueError):
        info = {}
    if not info:
        return "another process (no holder details yet)"
    return (
        f"pid {info.get('pid')} on {info.get('host')} since {info.get('since')}: "
        f"{info.get('command')}"
    )


@contextlib.contextmanager
def hold(
    duckdb_path: str | os.PathLike[str] | None,
    command: str = "",
    timeout: float | None = None,
    out: TextIO | None = None,
) -> Iterator[Path | None]:
    """Hold the warehouse lock of `duckdb_path` for the `with` block; wait while another holds it.

    `duckdb_path` None (a non-DuckDB target) is a no-op. While waiting, a line naming the holder
    goes to `out` (stderr) at once and every minute. `timeout` (seconds, default: none) raises
    WarehouseLockTimeout. Yields the lock file's path (None for a no-op).
    """
    if duckdb_path is None:
        yield None
        return
    out = sys.stderr if out is None else out
    lock_file = lock_path_for(duckdb_path)
    if os.environ.get(HELD_ENV) == str(lock_file):
        yield lock_file  # our parent process holds it for us
        return
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        _acquire(fd, lock_file, command, timeout, out)
        since = datetime.now(UTC).isoformat(timespec="seconds")
        holder = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "since": since,
            "command": command or shlex.join(sys.argv),
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(holder).encode(), 0)
        previous = os.environ.get(HELD_ENV)
        os.environ[HELD_ENV] = str(lock_file)
        try:
            yield lock_file
        finally:
            if previous is None:
                os.environ.pop(HELD_ENV, None)
            else:
                os.environ[HELD_ENV] = previous
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _acquire(fd: int, lock_file: Path, command: str, timeout: float | None, out: TextIO) -> None:
    started = time.monotonic()
    next_report = started
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            if next_report > started:  # we waited and reported it
                waited = time.monotonic() - started
                print(f"warehouse_lock: got {lock_file} after {waited:.0f} s", file=out, flush=True)
            return
        except BlockingIOError:
            pass
        now = time.monotonic()
        if timeout is not None and now - started >= timeout:
            raise WarehouseLockTimeout(
                f"warehouse_lock: {lock_file} still held after {timeout:.0f} s by "
                f"{describe_holder(lock_file)}"
            )
        if now >= next_report:
            print(
                f"warehouse_lock: waiting for {lock_file}, held by {describe_holder(lock_file)}"
                + (f" (to run: {command})" if command else ""),
                file=out,
                flush=True,
            )
            next_report = now + REPORT_EVERY_SECONDS
        time.sleep(POLL_SECONDS)


def run_locked(
    command: Sequence[str], duckdb_path: str | os.PathLike[str] | None, timeout: float | None
) -> int:
    """Run `command` under the lock of `duckdb_path`; its exit code."""
    if not command:
        raise ValueError("no command to run under the warehouse lock")
    with hold(duckdb_path, command=shlex.join(command), timeout=timeout):
        return subprocess.call(list(command))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m fxa_metrics_tools.warehouse_lock",
        description="Run a command holding the DuckDB warehouse's writer lock.",
    )
    parser.add_argument(
        "--path", help="the DuckDB file (default: $FXA_METRICS_DUCKDB_PATH on the duckdb target)"
    )
    parser.add_argument("--timeout", type=float, help="give up after this many seconds waiting")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- command [args ...]")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the command after --")
    try:
        path = Path(args.path) if args.path else duckdb_path_from_env()
        return run_locked(command, path, args.timeout)
    except (ValueError, WarehouseLockTimeout) as error:
        print(f"warehouse_lock: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
