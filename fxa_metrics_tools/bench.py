"""Benchmark of the fxa_metrics build at a chosen scale (issue 7).

Usage: ``python -m fxa_metrics_tools.bench --scale 10 [--seed 42] [--out target/bench_s10.json]``
(``make bench SCALE=10``).

Steps, each timed (wall seconds) with the peak resident memory of the process that ran it
(``os.wait4``), on a fresh DuckDB file ``warehouse/bench/bench_s<N>.duckdb``:

1. write the raw tables at the scale into schemas ``scaled_*`` (``fxa_metrics_tools.scale``);
   every dbt call gets ``--vars`` pointing the sources there (``scale.source_vars()``);
2. ``dbt seed`` of the reference seeds only; ``dbt parse`` without and with partial parsing
   (with the run's vars: dbt re-parses the whole project whenever ``--vars`` change, so every
   incremental day run with a new ``subplat_date`` / ``submission_date`` pays a full parse);
3. (a) full refresh: ``dbt run --full-refresh`` of every model on one dbt thread, so that the
   dbt overhead = wall time - the sum of the models' execute times; then each heavy model once
   more in its own process for its own seconds and peak memory (``--no-isolated`` skips that and
   reports the whole run's figures);
4. (b) one incremental day at the end of the range (vars ``subplat_date`` = the last day of the
   daily actives, ``submission_date`` = the last FxA day) for the incremental heavy models;
5. (c) baselines: hand-written single DuckDB queries for the daily-active expansion and
   ``fxa_users_last_seen`` on the same data (``fxa_metrics_tools.bench_baselines``);
6. (d) the data tests of the run's selection (``dbt test``, unit tests excluded) on the built
   tables, for the tests' share of the node-seconds (data tests / (models + data tests)),
   next to the one-day shares of the incremental models (issue 15).

``--build-share [run_results.json ...]`` only prints the node-seconds by resource type and the
tests' share of existing runs taken together, by default those ``make build`` keeps:
``target/seed_run_results.json`` (the seeds and their tests) and
``target/build_run_results.json`` (the models and theirs), and exits.

It prints a table and writes the JSON report (default ``target/bench_s<N>.json``).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from pathlib import Path

from fxa_metrics_tools import bench_baselines
from fxa_metrics_tools import scale as scale_module

LOG = logging.getLogger("fxa_metrics_tools.bench")
PROJECT_DIR = Path(__file__).resolve().parents[1]

# models whose cost the benchmark reports one by one (those in the manifest)
HEAVY_MODELS: tuple[str, ...] = (
    "stripe_logical_subscriptions_history_v1",
    "logical_subscriptions_history_v1",
    "daily_active_logical_subscriptions_v1",
    "monthly_active_logical_subscriptions_v1",
    "fxa_all_events_v1",
    "fxa_users_daily_v1",
    "fxa_users_last_seen_v1",
    "fxa_users_services_daily_v2",
    "users_services_daily_v1",
    "users_services_last_seen_v1",
)
# the baseline each model is compared with
MODEL_BASELINES: dict[str, str] = {
    "daily_active_logical_subscriptions_v1": "daily_active_expansion",
    "fxa_users_last_seen_v1": "fxa_users_last_seen",
}
REPORT_KEYS: tuple[str, ...] = (
    "scale",
    "seed",
    "machine",
    "generator",
    "steps",
    "dbt_parse_seconds",
    "dbt_overhead_seconds",
    "models",
    "baselines",
    "slowest_model",
    "all_models_full_refresh_seconds",
    "days",
    "tests_share",
    "one_day_shares",
)
MODEL_KEYS: tuple[str, ...] = ("rows", "full_refresh", "incremental_day", "baseline")


class BenchError(RuntimeError):
    """A benchmark step failed (the message carries the tail of its output)."""


def measure(cmd: list[str], env: dict[str, str], step: str) -> dict:
    """Run one step; its wall seconds and the peak RSS (MiB) of its process."""
    wall, peak, code, output = bench_baselines.measure_process(cmd, env=env, cwd=PROJECT_DIR)
    if code != 0:
        raise BenchError(f"bench step {step!r} failed ({' '.join(cmd)}):\n{output[-4000:]}")
    LOG.info("%-55s %8.2f s %9.1f MiB", step, wall, peak)
    return {"step": step, "wall_seconds": wall, "peak_rss_mib": peak}


def dbt_env(duckdb_path: Path, threads: int | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env["FXA_METRICS_DUCKDB_PATH"] = str(duckdb_path)
    env.setdefault("DBT_PROFILES_DIR", str(PROJECT_DIR))
    env["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    env["FXA_METRICS_TARGET"] = "duckdb"
    if threads is not None:
        env["FXA_METRICS_THREADS"] = str(threads)
    return env


def dbt_cmd(target_dir: Path, *args: str) -> list[str]:
    dbt = Path(sys.executable).with_name("dbt")
    return [
        str(dbt),
        *args,
        "--target-path",
        str(target_dir),
        "--log-path",
        str(target_dir / "logs"),
    ]


def run_results(target_dir: Path) -> dict[str, dict[str, float]]:
    """Per model of the last run: total seconds and the execute phase's seconds."""
    results = json.loads((target_dir / "run_results.json").read_text())
    out: dict[str, dict[str, float]] = {}
    for item in results["results"]:
        if not item["unique_id"].startswith("model."):
            continue
        execute = 0.0
        for phase in item.get("timing", []):
            if phase["name"] == "execute" and phase.get("started_at") and phase.get("completed_at"):
                started = _iso_seconds(phase["started_at"])
                execute = _iso_seconds(phase["completed_at"]) - started
        out[item["unique_id"].split(".")[-1]] = {
            "seconds": round(item["execution_time"], 3),
            "execute_seconds": round(execute, 3),
        }
    return out


def node_seconds(results: dict) -> dict:
    """Node-seconds and node counts of a run_results.json by kind, and the data tests' share.

    Kinds: model, data_test, unit_test, seed, other (exposures, ...). ``tests_share`` is data
    tests' node-seconds over models' plus data tests'; ``tests_share_of_all`` over every node of
    the build (seeds loaded and other nodes too). Unit tests prove SQL: no build cost, in neither.
    """
    seconds: dict[str, float] = {}
    counts: dict[str, int] = {}
    for item in results["results"]:
        kind = item["unique_id"].split(".", 1)[0]
        kind = {"test": "data_test", "unit_test": "unit_test"}.get(kind, kind)
        if kind not in ("model", "data_test", "unit_test", "seed"):
            kind = "other"
        seconds[kind] = seconds.get(kind, 0.0) + float(item.get("execution_time") or 0.0)
        counts[kind] = counts.get(kind, 0) + 1
    tested = seconds.get("model", 0.0) + seconds.get("data_test", 0.0)
    built = sum(value for kind, value in seconds.items() if kind != "unit_test")
    return {
        "seconds": {kind: round(value, 3) for kind, value in sorted(seconds.items())},
        "nodes": dict(sorted(counts.items())),
        "elapsed_seconds": round(float(results.get("elapsed_time") or 0.0), 3),
        "tests_share": round(seconds.get("data_test", 0.0) / tested, 4) if tested else None,
        "tests_share_of_all": round(seconds.get("data_test", 0.0) / built, 4) if built else None,
    }


def format_node_seconds(figures: dict) -> str:
    parts = [
        f"{kind} {figures['seconds'][kind]:.1f} s ({figures['nodes'][kind]})"
        for kind in figures["seconds"]
    ]

    def shown(share: float | None) -> str:
        return "-" if share is None else f"{share:.1%}"

    return (
        f"node-seconds: {', '.join(parts)}; run {figures['elapsed_seconds']:.1f} s; "
        f"data tests' share of models + data tests: {shown(figures['tests_share'])}, "
        f"of all nodes but unit tests: {shown(figures.get('tests_share_of_all'))}"
    )


def _iso_seconds(value: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


def manifest_models(target_dir: Path) -> dict[str, dict]:
    manifest = json.loads((target_dir / "manifest.json").read_text())
    return {
        node["name"]: node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["package_name"] == "fxa_metrics"
    }


def relation_rows(duckdb_path: Path, models: dict[str, dict], names: list[str]) -> dict[str, int]:
    import duckdb

    counts: dict[str, int] = {}
    with duckdb.connect(str(duckdb_path), read_only=True) as con:
        for name in names:
            node = models[name]
            relation = f'"{node["schema"]}"."{node.get("alias") or name}"'
            counts[name] = con.execute(f"select count(*) from {relation}").fetchone()[0]
    return counts


def scalar(duckdb_path: Path, sql: str) -> str | None:
    import duckdb

    with duckdb.connect(str(duckdb_path), read_only=True) as con:
        value = con.execute(sql).fetchone()[0]
    return None if value is None else str(value)[:10]


def machine_info() -> dict:
    mem_kib = 0
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kib = int(line.split()[1])
    return {
        "cores": os.cpu_count(),
        "memory_gib": round(mem_kib / 1024 / 1024, 1),
        "load_average_1m": round(os.getloadavg()[0], 2),
    }


def bench(
    scale: int,
    seed: int,
    out: Path,
    work_dir: Path,
    heavy_models: tuple[str, ...] = HEAVY_MODELS,
    select: list[str] | None = None,
    isolated: bool = True,
) -> dict:
    """Run the benchmark; write and return the report (see the module docstring)."""
    work_dir.mkdir(parents=True, exist_ok=True)
    duckdb_path = (work_dir / f"bench_s{scale}.duckdb").resolve()
    target_dir = (work_dir / f"target_bench_s{scale}").resolve()
    for stale in (duckdb_path, Path(f"{duckdb_path}.wal")):
        stale.unlink(missing_ok=True)
    env = dbt_env(duckdb_path)
    src_vars = scale_module.source_vars()
    vars_arg = json.dumps(src_vars)
    report: dict = {"scale": scale, "seed": seed, "machine": machine_info()}

    LOG.info("scale %d: writing the raw tables into %s", scale, duckdb_path)
    started = time.perf_counter()
    generated = scale_module.write_scaled(duckdb_path, scale=scale, seed=seed)
    gen_seconds = time.perf_counter() - started
    total_rows = sum(generated.values())
    report["generator"] = {
        "wall_seconds": round(gen_seconds, 3),
        "rows": total_rows,
        "rows_per_minute": round(total_rows / max(gen_seconds, 1e-9) * 60),
        "tables": generated,
    }
    LOG.info("generator: %d rows in %.1f s", total_rows, gen_seconds)

    # parse with the run's vars (a change of --vars defeats partial parsing): the first parse
    # has no partial_parse.msgpack (full), the second reuses it (partial)
    (target_dir / "partial_parse.msgpack").unlink(missing_ok=True)
    steps = [
        measure(
            dbt_cmd(target_dir, "seed", "--full-refresh", "--select", "path:seeds/reference"),
            env,
            "seed_reference",
        ),
    ]
    (target_dir / "partial_parse.msgpack").unlink(missing_ok=True)
    steps.append(measure(dbt_cmd(target_dir, "parse", "--vars", vars_arg), env, "dbt_parse"))
    steps.append(
        measure(dbt_cmd(target_dir, "parse", "--vars", vars_arg), env, "dbt_parse_partial")
    )
    report["dbt_parse_seconds"] = {
        "full": steps[1]["wall_seconds"],
        "partial": steps[2]["wall_seconds"],
    }

    selection = ["--select", *select] if select else []
    full = measure(
        dbt_cmd(
            target_dir,
            "run",
            "--full-refresh",
            *selection,
            "--exclude",
            "resource_type:seed",
            "--vars",
            vars_arg,
        ),
        dbt_env(duckdb_path, threads=1),
        "full_refresh (1 dbt thread)",
    )
    per_model = run_results(target_dir)
    sql_seconds = sum(item["execute_seconds"] for item in per_model.values())
    full["detail"] = {
        "models": len(per_model),
        "sum_of_model_seconds": round(sum(item["seconds"] for item in per_model.values()), 3),
        "sum_of_execute_seconds": round(sql_seconds, 3),
    }
    steps.append(full)
    report["dbt_overhead_seconds"] = round(full["wall_seconds"] - sql_seconds, 3)
    report["all_models_full_refresh_seconds"] = {
        name: item["seconds"] for name, item in per_model.items()
    }
    slowest = max(per_model, key=lambda name: per_model[name]["seconds"])
    report["slowest_model"] = {"name": slowest, "seconds": per_model[slowest]["seconds"]}

    models = manifest_models(target_dir)
    heavy = [name for name in heavy_models if name in models and name in per_model]
    rows = relation_rows(duckdb_path, models, heavy)
    results: dict[str, dict] = {}
    for name in heavy:
        figures = {
            "seconds": per_model[name]["seconds"],
            "process_wall_seconds": full["wall_seconds"],
            "peak_rss_mib": full["peak_rss_mib"],
            "isolated": False,
        }
        if isolated:
            step = measure(
                dbt_cmd(target_dir, "run", "--full-refresh", "--select", name, "--vars", vars_arg),
                env,
                f"full_refresh:{name}",
            )
            figures = {
                "seconds": run_results(target_dir)[name]["seconds"],
                "process_wall_seconds": step["wall_seconds"],
                "peak_rss_mib": step["peak_rss_mib"],
                "isolated": True,
            }
        results[name] = {"rows": rows[name], "full_refresh": figures, "incremental_day": None}

    days = {
        "subplat_date": scalar(
            duckdb_path,
            "select max(date) from "
            "subscription_platform_derived.daily_active_logical_subscriptions_v1",
        )
        if "daily_active_logical_subscriptions_v1" in per_model
        else None,
        "submission_date": scalar(
            duckdb_path,
            "select max(submission_date) from firefox_accounts_derived.fxa_users_daily_v1",
        )
        if "fxa_users_daily_v1" in per_model
        else None,
    }
    report["days"] = days
    day_vars = json.dumps({**src_vars, **{k: v for k, v in days.items() if v}})
    for name in heavy:
        if models[name]["config"].get("materialized") != "incremental":
            continue
        step = measure(
            dbt_cmd(target_dir, "run", "--select", name, "--vars", day_vars),
            env,
            f"incremental_day:{name}",
        )
        seconds = run_results(target_dir)[name]["seconds"]
        full_seconds = results[name]["full_refresh"]["seconds"]
        results[name]["incremental_day"] = {
            "seconds": seconds,
            "process_wall_seconds": step["wall_seconds"],
            "peak_rss_mib": step["peak_rss_mib"],
            "share_of_full_refresh": round(seconds / full_seconds, 4) if full_seconds else None,
        }

    baselines = bench_baselines.run_all(duckdb_path, days["subplat_date"], days["submission_date"])
    for name, result in results.items():
        baseline = baselines.get(MODEL_BASELINES.get(name, ""))
        result["baseline"] = (
            None
            if baseline is None
            else {
                "name": MODEL_BASELINES[name],
                "seconds": baseline["seconds"],
                "rows": baseline["rows"],
                "model_over_baseline": round(
                    result["full_refresh"]["seconds"] / max(baseline["seconds"], 1e-3), 2
                ),
            }
        )
    # (d) data tests of the selection on what was built (unit tests excluded: make test only;
    # seeds' tests excluded: the bench reads the scaled sources, the demo seeds are not loaded;
    # cautious: only tests all of whose parents were built)
    tests_step = measure(
        dbt_cmd(
            target_dir,
            "test",
            *selection,
            "--exclude",
            "resource_type:unit_test",
            "resource_type:seed",
            "--indirect-selection",
            "cautious",
            "--vars",
            vars_arg,
        ),
        env,
        "data_tests",
    )
    tested = node_seconds(json.loads((target_dir / "run_results.json").read_text()))
    model_seconds = sum(item["seconds"] for item in per_model.values())
    test_seconds = tested["seconds"].get("data_test", 0.0)
    tests_step["detail"] = {"data_tests": tested["nodes"].get("data_test", 0)}
    steps.append(tests_step)
    report["tests_share"] = {
        "model_seconds": round(model_seconds, 3),
        "data_test_seconds": round(test_seconds, 3),
        "data_tests": tested["nodes"].get("data_test", 0),
        "share": round(test_seconds / (model_seconds + test_seconds), 4)
        if model_seconds + test_seconds
        else None,
    }
    report["one_day_shares"] = {
        name: result["incremental_day"]["share_of_full_refresh"]
        for name, result in results.items()
        if result["incremental_day"]
    }
    report["steps"] = steps
    report["models"] = results
    report["baselines"] = baselines
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, sort_keys=True) + "\n")
    return report


def format_report(report: dict) -> str:
    """The report as a plain-text table."""
    machine = report["machine"]
    gen = report["generator"]
    lines = [
        f"scale {report['scale']} (seed {report['seed']}) on {machine['cores']} cores / "
        f"{machine['memory_gib']} GiB (load {machine['load_average_1m']})",
        f"generator: {gen['rows']:,} rows in {gen['wall_seconds']:.1f} s "
        f"({gen['rows_per_minute']:,} rows/min)",
        f"dbt parse: {report['dbt_parse_seconds']['full']:.1f} s full, "
        f"{report['dbt_parse_seconds']['partial']:.1f} s partial; dbt overhead of the full "
        f"refresh: {report['dbt_overhead_seconds']:.1f} s",
    ]
    for step in report["steps"]:
        lines.append(
            f"  {step['step']:<32} {step['wall_seconds']:>9.2f} s {step['peak_rss_mib']:>9.1f} MiB"
        )
    header = (
        f"{'model':<42} {'rows':>12} {'full s':>8} {'peak MiB':>9} "
        f"{'incr s':>7} {'incr/full':>9} {'base s':>7} {'x base':>6}"
    )
    lines += [header, "-" * len(header)]
    for name, result in report["models"].items():
        full = result["full_refresh"]
        incr = result["incremental_day"] or {}
        base = result["baseline"] or {}
        lines.append(
            f"{name:<42} {result['rows']:>12,} {full['seconds']:>8.2f} "
            f"{full['peak_rss_mib']:>9.1f} "
            f"{_num(incr.get('seconds'), 7)} {_num(incr.get('share_of_full_refresh'), 9, 4)} "
            f"{_num(base.get('seconds'), 7)} {_num(base.get('model_over_baseline'), 6)}"
        )
    slowest = report["slowest_model"]
    lines.append(f"slowest model (full refresh): {slowest['name']} ({slowest['seconds']:.2f} s)")
    tests = report["tests_share"]
    lines.append(
        f"data tests: {tests['data_tests']} in {tests['data_test_seconds']:.2f} node-s against "
        f"{tests['model_seconds']:.2f} s of models: share {_num(tests['share'], 0, 4)}"
    )
    shares = report["one_day_shares"]
    if shares:
        worst = max(shares, key=lambda name: shares[name] or 0.0)
        lines.append(f"largest one-day share: {worst} ({_num(shares[worst], 0, 4)})")
    return "\n".join(lines)


def _num(value: float | None, width: int, digits: int = 2) -> str:
    return f"{'-':>{width}}" if value is None else f"{value:>{width}.{digits}f}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--work-dir", type=Path, default=PROJECT_DIR / "warehouse" / "bench")
    parser.add_argument(
        "--models", nargs="+", default=list(HEAVY_MODELS), help="heavy models to report"
    )
    parser.add_argument("--select", nargs="+", default=None, help="dbt selection of the run")
    parser.add_argument(
        "--build-share",
        nargs="*",
        type=Path,
        default=None,
        help="only print the node-seconds and tests' share of run_results.json files and exit",
    )
    parser.add_argument(
        "--no-isolated",
        action="store_true",
        help="no per-model full-refresh runs (figures from the whole run)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if args.build_share is not None:
        paths = args.build_share or [
            PROJECT_DIR / "target" / f"{step}_run_results.json" for step in ("seed", "build")
        ]
        missing = [str(path) for path in paths if not path.exists()]
        if missing:
            raise SystemExit(f"no {', '.join(missing)}: run `make build` first")
        runs = [json.loads(path.read_text()) for path in paths]
        figures = node_seconds(
            {
                "results": [item for run in runs for item in run["results"]],
                "elapsed_time": sum(float(run.get("elapsed_time") or 0.0) for run in runs),
            }
        )
        LOG.info("%s: %s", " + ".join(path.name for path in paths), format_node_seconds(figures))
        return
    out = args.out or PROJECT_DIR / "target" / f"bench_s{args.scale}.json"
    report = bench(
        args.scale,
        args.seed,
        out,
        args.work_dir,
        heavy_models=tuple(args.models),
        select=args.select,
        isolated=not args.no_isolated,
    )
    LOG.info("%s", format_report(report))
    LOG.info("report written to %s", out)


if __name__ == "__main__":
    main()
