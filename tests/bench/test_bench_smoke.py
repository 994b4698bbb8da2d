"""Smoke test of the benchmark (issue 7): it runs end to end and writes its full report.

Scale 1 on its own DuckDB file in a temp dir, with the two models that have a baseline (and
their ancestors only), figures taken from the single full-refresh run (``--no-isolated``).
It asserts the report's shape and its consistency, never a speed.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from fxa_metrics_tools import bench, scale

# builds a scale-1 warehouse of its own (~90 s for the report, ~20-80 s for the scale-2 copies)
pytestmark = pytest.mark.slow

MODELS = ("daily_active_logical_subscriptions_v1", "fxa_users_last_seen_v1")


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, Path]:
    work_dir = tmp_path_factory.mktemp("bench")
    out = work_dir / "bench_s1.json"
    bench.main(
        [
            "--scale",
            "1",
            "--work-dir",
            str(work_dir),
            "--out",
            str(out),
            "--models",
            *MODELS,
            "--select",
            *(f"+{name}" for name in MODELS),
            "--no-isolated",
        ]
    )
    return json.loads(out.read_text()), work_dir


def test_report_has_every_key(report: tuple[dict, Path]) -> None:
    data, _ = report
    assert set(bench.REPORT_KEYS) <= set(data)
    assert set(data["models"]) == set(MODELS)
    for name, result in data["models"].items():
        assert set(bench.MODEL_KEYS) <= set(result), name
        assert result["rows"] > 0, name
        assert result["full_refresh"]["seconds"] > 0, name
        assert result["full_refresh"]["peak_rss_mib"] > 0, name
        # both models are incremental: one day at the end of the range was run
        assert result["incremental_day"]["seconds"] > 0, name
        assert result["baseline"]["seconds"] > 0, name
    steps = {step["step"] for step in data["steps"]}
    assert {"seed_reference", "dbt_parse", "dbt_parse_partial"} <= steps
    assert data["dbt_parse_seconds"]["full"] > 0
    assert data["slowest_model"]["name"] in data["all_models_full_refresh_seconds"]
    assert data["days"]["subplat_date"] and data["days"]["submission_date"]
    # issue 15: the data tests of the selection ran, their share is of models + data tests
    tests = data["tests_share"]
    assert tests["data_tests"] > 0 and tests["data_test_seconds"] > 0
    assert 0 < tests["share"] < 1
    assert tests["share"] == round(
        tests["data_test_seconds"] / (tests["model_seconds"] + tests["data_test_seconds"]), 4
    )
    assert set(data["one_day_shares"]) == set(MODELS)
    for name, share in data["one_day_shares"].items():
        assert share == data["models"][name]["incremental_day"]["share_of_full_refresh"], name


def test_node_seconds_split_by_kind() -> None:
    """The tests' share counts data tests against models; unit tests and seeds stay apart."""
    results = {
        "elapsed_time": 9.0,
        "results": [
            {"unique_id": "model.p.a", "execution_time": 3.0},
            {"unique_id": "model.p.b", "execution_time": 1.0},
            {"unique_id": "test.p.not_null_a", "execution_time": 1.0},
            {"unique_id": "unit_test.p.a.test_x", "execution_time": 5.0},
            {"unique_id": "seed.p.s", "execution_time": 2.0},
            {"unique_id": "exposure.p.e", "execution_time": 0.0},
        ],
    }
    figures = bench.node_seconds(results)
    assert figures["seconds"] == {
        "data_test": 1.0,
        "model": 4.0,
        "other": 0.0,
        "seed": 2.0,
        "unit_test": 5.0,
    }
    assert figures["nodes"]["model"] == 2
    assert figures["tests_share"] == 0.2
    assert figures["tests_share_of_all"] == round(1.0 / 7.0, 4)  # model + test + seed + other
    assert "20.0%" in bench.format_node_seconds(figures)
    assert "14.3%" in bench.format_node_seconds(figures)


def test_daily_active_baseline_matches_the_model_rows(report: tuple[dict, Path]) -> None:
    """The hand-written query implements the same rule: same row count as the model."""
    data, _ = report
    baseline = data["baselines"]["daily_active_expansion"]
    assert (
        baseline["rows"]
        == baseline["model_rows"]
        == (data["models"]["daily_active_logical_subscriptions_v1"]["rows"])
    )


def test_scale_one_is_the_demo(report: tuple[dict, Path], project_dir: Path) -> None:
    """Scale 1 writes exactly the demo seeds' row counts into the scaled_* schemas."""
    data, _ = report
    tables = data["generator"]["tables"]
    for key, rows in tables.items():
        schema, relation = key.split("/")
        stem = relation if schema not in ("apple", "google") else f"{schema}_{relation}"
        csv = project_dir / "seeds" / "demo" / schema / f"{stem}.csv"
        with csv.open() as handle:
            expected = sum(1 for _ in handle) - 1
        assert rows == expected, key


def test_the_format_lists_every_model(report: tuple[dict, Path]) -> None:
    data, _ = report
    table = bench.format_report(data)
    for name in MODELS:
        assert name in table


def test_copies_remap_ids_consistently(tmp_path: Path, project_dir: Path) -> None:
    """Scale 2: copy 1 has its own ids and uids; logs and Glean hashes follow the new uids."""
    path = tmp_path / "s2.duckdb"
    written = scale.write_scaled(path, scale=2, seed=42, event_factor=1, progress=False)
    demo = project_dir / "seeds" / "demo"
    matched_sql = """
        select
            count(*) filter (where glean.sha in (select sha256(uid) from accounts)),
            count(*) filter (where logs.uid in (select uid from accounts))
        from (select metrics__string__account_user_id_sha256 as sha from {glean}) as glean
        full outer join (select jsonPayload__fields__user_id as uid from {logs}) as logs
            on false
    """
    with duckdb.connect(str(path), read_only=True) as con:
        subs, keys = con.execute(
            "select count(*), count(distinct (id, _fivetran_start)) "
            "from scaled_stripe.subscription_history"
        ).fetchone()
        assert subs == written["stripe/subscription_history"]
        # only the demo's one intentional duplicate version repeats a key, once per copy
        assert subs - keys == 2
        customers = con.execute(
            "select count(*), count(distinct id) from scaled_stripe.customer"
        ).fetchone()
        assert customers[0] == customers[1] == written["stripe/customer"]
        # reference tables are not replicated
        plan_csv = (demo / "stripe" / "plan.csv").read_text().splitlines()
        assert written["stripe/plan"] == len(plan_csv) - 1
        con.execute(
            "create temp table accounts as select uid from scaled_accounts_db.raw_fxa_accounts"
        )
        scaled = con.execute(
            matched_sql.format(
                glean="scaled_glean.accounts_backend_events_stream",
                logs="scaled_fxa_logs.raw_fxa_log_stderr",
            )
        ).fetchone()
        uids = con.execute("select count(distinct uid) from accounts").fetchone()[0]
    with duckdb.connect() as con:
        con.execute(
            "create temp table accounts as select uid from read_csv(?, all_varchar = true)",
            [str(demo / "accounts_db" / "raw_fxa_accounts.csv")],
        )
        demo_matched = con.execute(
            matched_sql.format(
                glean=f"read_csv('{demo / 'glean' / 'accounts_backend_events_stream.csv'}', "
                "all_varchar = true)",
                logs=f"read_csv('{demo / 'fxa_logs' / 'raw_fxa_log_stderr.csv'}', "
                "all_varchar = true)",
            )
        ).fetchone()
        demo_uids = con.execute("select count(distinct uid) from accounts").fetchone()[0]
    assert uids == 2 * demo_uids
    # every Glean hash / log uid that joins an account in the demo joins one in each copy
    assert scaled == (2 * demo_matched[0], 2 * demo_matched[1])
    assert demo_matched[0] > 0 and demo_matched[1] > 0
