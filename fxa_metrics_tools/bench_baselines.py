"""Hand-written single DuckDB queries the benchmark compares the dbt models with.

Each baseline reads the same upstream table as its model, in the same DuckDB file, and writes
its result as a table (as dbt does), in schema ``bench_baseline``:

* ``daily_active_expansion``: daily_active_logical_subscriptions_v1 from
  logical_subscriptions_history_v1 - every history row is expanded to the days it overlaps
  (``generate_series`` over its own interval, no spine join), then one GROUP BY per
  (subscription, day) on narrow columns with ``arg_max``/``arg_min`` instead of three window
  functions; the wide ``subscription`` struct is joined back once per output row. Same rule
  as the model (docs/subscriptions.md section 5): rows overlapping the day that are active or start
  in it; kept when one of them is active; the latest row (valid_from, item id) gives the state.
* ``fxa_users_last_seen``: fxa_users_last_seen_v1 from fxa_users_daily_v1 - each active day
  contributes bit (D - day) to the 28 rows D = day .. day + 27, one GROUP BY (user, D) with
  ``bit_or``; the attributes come from the latest active day. It leaves out the model's R2
  opt-out removals and the registration chain, so it is a lower bound of the model's cost.

Each baseline runs in its own process (``python -m fxa_metrics_tools.bench_baselines``) so its
peak resident memory is its own (``os.wait4``).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

BASELINE_SCHEMA = "bench_baseline"

DAILY_ACTIVE_SQL = """
create or replace table {schema}.daily_active_expansion as
with
history as (
    select
        id as history_id,
        valid_from,
        valid_to,
        subscription.id as subscription_id,
        subscription.provider_subscription_item_id as item_id,
        coalesce(subscription.is_active, false) as is_active
    from subscription_platform_derived.logical_subscriptions_history_v1
),
bounds as (
    select cast(min(valid_from) as date) as first_day, {last_day} as last_day from history
),
expanded as (
    select
        history.*,
        cast(unnest(generate_series(
            greatest(cast(history.valid_from as date), bounds.first_day),
            case
                when history.is_active
                    then least(cast(history.valid_to - interval 1 microsecond as date),
                               bounds.last_day)
                else least(cast(history.valid_from as date), bounds.last_day)
            end,
            interval 1 day
        )) as date) as date
    from history
    cross join bounds
    where history.valid_to > history.valid_from
),
days as (
    select
        subscription_id,
        date,
        arg_max(history_id, (valid_from, item_id)) as logical_subscriptions_history_id,
        arg_max(item_id, (valid_from, item_id)) as latest_item_id,
        arg_min(is_active and valid_from <= date, (valid_from, item_id))
            as was_active_at_day_start,
        arg_max(is_active, (valid_from, item_id)) as was_active_at_day_end
    from expanded
    group by subscription_id, date
    having bool_or(is_active)
)
select
    days.subscription_id || '-' || cast(days.date as varchar) as id,
    days.date,
    days.logical_subscriptions_history_id,
    history.subscription,
    days.was_active_at_day_start,
    days.was_active_at_day_end
from days
inner join subscription_platform_derived.logical_subscriptions_history_v1 as history
    on
        days.logical_subscriptions_history_id = history.id
        and days.latest_item_id
        is not distinct from history.subscription.provider_subscription_item_id
"""

LAST_SEEN_SQL = """
create or replace table {schema}.fxa_users_last_seen as
with
users_daily as (
    select * from firefox_accounts_derived.fxa_users_daily_v1
),
last_day as (
    select {last_day} as last_day
)
select
    cast(users_daily.submission_date + offsets.k as date) as submission_date,
    users_daily.user_id,
    bit_or(cast(1 as bigint) << offsets.k) as days_seen_bits,
    bit_or(case when users_daily.seen_in_tier1_country then cast(1 as bigint) << offsets.k
        else 0 end) as days_seen_in_tier1_country_bits,
    arg_max(users_daily.country, users_daily.submission_date) as country,
    arg_max(users_daily.language, users_daily.submission_date) as language,
    arg_max(users_daily.app_version, users_daily.submission_date) as app_version,
    arg_max(users_daily.os_name, users_daily.submission_date) as os_name,
    arg_max(users_daily.os_version, users_daily.submission_date) as os_version
from users_daily
cross join (select cast(range as integer) as k from range(28)) as offsets
cross join last_day
where users_daily.submission_date + offsets.k <= last_day.last_day
group by 1, 2
"""

BASELINES: dict[str, tuple[str, str, str]] = {
    # name -> (sql, model it stands in for, expression of the model's last day if not given)
    "daily_active_expansion": (
        DAILY_ACTIVE_SQL,
        "subscription_platform_derived.daily_active_logical_subscriptions_v1",
        "cast(current_date - interval 7 day as date)",
    ),
    "fxa_users_last_seen": (
        LAST_SEEN_SQL,
        "firefox_accounts_derived.fxa_users_last_seen_v1",
        "(select max(submission_date) from firefox_accounts_derived.fxa_users_daily_v1)",
    ),
}


def run_one(duckdb_path: Path, name: str, last_day: str | None) -> dict:
    """Run one baseline in this process; seconds (query only), rows, rows of its model."""
    import duckdb

    sql, model, default_last_day = BASELINES[name]
    last_day_sql = f"cast('{last_day}' as date)" if last_day else default_last_day
    with duckdb.connect(str(duckdb_path)) as con:
        con.execute("set preserve_insertion_order = false")
        con.execute("set enable_progress_bar = false")
        con.execute(f"create schema if not exists {BASELINE_SCHEMA}")
        started = time.perf_counter()
        con.execute(sql.format(schema=BASELINE_SCHEMA, last_day=last_day_sql))
        seconds = time.perf_counter() - started
        rows = con.execute(f"select count(*) from {BASELINE_SCHEMA}.{name}").fetchone()[0]
        try:
            model_rows = con.execute(f"select count(*) from {model}").fetchone()[0]
        except duckdb.Error:
            model_rows = None
        con.execute(f"drop table {BASELINE_SCHEMA}.{name}")
    return {
        "model": model,
        "seconds": round(seconds, 3),
        "rows": rows,
        "model_rows": model_rows,
        "last_day": last_day,
    }


# A small Python process that runs the command and reports the command's own peak RSS: a child
# forked straight from the benchmark would inherit (in ru_maxrss) the benchmark's own RSS.
_PEAK_MARKER = "__PEAK_RSS_KIB__="
_WRAPPER = (
    "import os, subprocess, sys\n"
    "proc = subprocess.Popen(sys.argv[1:])\n"
    "_, status, usage = os.wait4(proc.pid, 0)\n"
    f"sys.stdout.write('\\n{_PEAK_MARKER}%d\\n' % usage.ru_maxrss)\n"
    "sys.exit(os.waitstatus_to_exitcode(status))\n"
)


def measure_process(
    cmd: list[str], env: dict[str, str] | None = None, cwd: Path | None = None
) -> tuple[float, float, int, str]:
    """Run cmd; (wall seconds, its peak RSS in MiB (wait4 ru_maxrss), exit code, output)."""
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", _WRAPPER, *cmd],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        check=False,
    )
    wall = time.perf_counter() - started
    output = result.stdout.decode(errors="replace")
    peak_kib = 0
    kept: list[str] = []
    for line in output.splitlines():
        if line.startswith(_PEAK_MARKER):
            peak_kib = int(line[len(_PEAK_MARKER) :])
        else:
            kept.append(line)
    # ru_maxrss is in KiB on Linux
    return round(wall, 3), round(peak_kib / 1024, 1), result.returncode, "\n".join(kept)


def run_all(
    duckdb_path: Path, subplat_date: str | None = None, submission_date: str | None = None
) -> dict[str, dict]:
    """Every baseline in its own process: seconds, rows, model rows, peak RSS MiB."""
    days = {"daily_active_expansion": subplat_date, "fxa_users_last_seen": submission_date}
    results: dict[str, dict] = {}
    for name in BASELINES:
        cmd = [sys.executable, "-m", "fxa_metrics_tools.bench_baselines", str(duckdb_path), name]
        if days[name]:
            cmd += ["--last-day", days[name]]
        wall, peak, code, output = measure_process(cmd, cwd=Path(__file__).resolve().parents[1])
        if code != 0:
            raise RuntimeError(f"baseline {name} failed:\n{output[-4000:]}")
        result = json.loads(output.strip().splitlines()[-1])
        result.update({"process_wall_seconds": wall, "peak_rss_mib": peak})
        results[name] = result
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("duckdb", type=Path)
    parser.add_argument("name", choices=sorted(BASELINES))
    parser.add_argument("--last-day", default=None, help="last day (YYYY-MM-DD) to expand to")
    args = parser.parse_args(argv)
    sys.stdout.write(json.dumps(run_one(args.duckdb, args.name, args.last_day)) + "\n")


if __name__ == "__main__":
    main()
