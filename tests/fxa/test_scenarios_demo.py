"""Spec section 5 scenarios (S1-S16) and the bad-input lines, end to end on the demo build.

The demo generator (``fxa_metrics_tools/demo_fxa.py``) writes every scenario as named users with
recognisable uids (``5c<NN>`` + zeros + ``<KK>``; S1/S2 use the spec's U1/U2). These tests read the
built warehouse read-only and check the values the spec states, through the whole chain (raw ->
staging -> rollups), complementing the model unit tests (see ``SCENARIOS.md`` here for the map).
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

import duckdb

U1 = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
U2 = "a1b2c3d4e5f60718293a4b5c6d7e8f90"
DERIVED = "wh.firefox_accounts_derived"


def h(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def scenario_user(number: int, index: int = 1) -> str:
    """H() of a named scenario user's uid (demo_fxa.scenario_uid)."""
    return h(f"5c{number:02d}{'0' * 26}{index:02d}")


def rows(connection: duckdb.DuckDBPyConnection, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    return connection.execute(sql, list(params)).fetchall()


def user_days(connection: duckdb.DuckDBPyConnection, table: str, user: str) -> list[date]:
    return [
        row[0]
        for row in rows(
            connection,
            f"select submission_date from {DERIVED}.{table} where user_id = ? order by 1",
            user,
        )
    ]


def last_seen(connection: duckdb.DuckDBPyConnection, user: str) -> dict[date, tuple[Any, ...]]:
    found = rows(
        connection,
        "select submission_date, days_seen_bits, days_since_seen, days_registered_bits, "
        "days_seen_no_monitor_bits, days_seen_in_tier1_country_bits "
        "from wh.firefox_accounts.fxa_users_last_seen where user_id = ?",
        user,
    )
    return {row[0]: row[1:] for row in found}


def test_s01_active_day1_and_day28(wh: duckdb.DuckDBPyConnection) -> None:
    seen = last_seen(wh, h(U1))
    assert h(U1) == "a1bf4dc2c0cea821798c38e16fcc1667d6f0504afa821b181672035fc5967890"
    assert seen[date(2024, 3, 1)][:2] == (1, 0)
    assert seen[date(2024, 3, 27)][:2] == (67108864, 26)
    assert seen[date(2024, 3, 28)][:2] == (134217729, 0)
    assert seen[date(2024, 3, 29)][:2] == (2, 1)
    services = rows(
        wh,
        f"select submission_date, service from {DERIVED}.fxa_users_services_daily_v2 "
        "where user_id = ? order by 1",
        h(U1),
    )
    assert services == [(date(2024, 3, 1), "sync"), (date(2024, 3, 28), "sync")]
    first_seen = rows(
        wh,
        f"select first_seen_date, services_used from {DERIVED}.fxa_users_first_seen_v1 "
        "where user_id = ?",
        h(U1),
    )
    assert first_seen == [(date(2024, 3, 1), ["sync"])]


def test_s02_single_active_day_ages_out(wh: duckdb.DuckDBPyConnection) -> None:
    seen = last_seen(wh, h(U2))
    assert min(seen) == date(2024, 3, 1) and max(seen) == date(2024, 3, 28)
    assert len(seen) == 28
    assert seen[date(2024, 3, 28)][:2] == (134217728, 27)


def test_s03_opt_out_mid_month(wh: duckdb.DuckDBPyConnection) -> None:
    user = scenario_user(3)
    days = user_days(wh, "fxa_users_daily_v1", user)
    assert days[0] == date(2024, 3, 1) and days[-1] == date(2024, 3, 15) and len(days) == 15
    events_on_15 = rows(
        wh,
        f"select extract(hour from timestamp) from {DERIVED}.fxa_all_events_v1 "
        "where user_id = ? and submission_date = '2024-03-15'",
        user,
    )
    assert events_on_15 == [(9,)], "the stray 15:00 event after the opt-out must be dropped (R1)"
    seen = last_seen(wh, user)
    assert max(seen) == date(2024, 3, 15), "R2: no carried last_seen row after the opt-out day"
    assert seen[date(2024, 3, 15)][0] == 32767


def test_s04_flow_spanning_midnight_log_side(wh: duckdb.DuckDBPyConnection) -> None:
    user = scenario_user(4)
    flow_events = rows(
        wh,
        f"select submission_date, user_id is null, event_type from {DERIVED}.fxa_all_events_v1 "
        f"where flow_id in (select flow_id from {DERIVED}.fxa_all_events_v1 where user_id = ?) "
        "order by timestamp",
        user,
    )
    assert flow_events == [
        (date(2024, 3, 1), True, "fxa_login - view"),
        (date(2024, 3, 1), True, "fxa_login - submit"),
        (date(2024, 3, 2), False, "fxa_login - complete"),
    ]
    assert user_days(wh, "fxa_users_daily_v1", user) == [date(2024, 3, 2)]


def test_s05_late_arrival(wh: duckdb.DuckDBPyConnection) -> None:
    user = scenario_user(5)
    events = rows(
        wh,
        f"select submission_date, timestamp from {DERIVED}.fxa_all_events_v1 where user_id = ?",
        user,
    )
    assert len(events) == 1 and events[0][0] == date(2024, 3, 1)
    assert events[0][1].hour == 23, "the 23:59:59 line received after midnight counts on 03-01"
    late = rows(
        wh,
        "select exclusion_reason, submission_date "
        "from wh.intermediate.int_fxa_log_lines_classified where user_id = ? "
        "and event_type = 'fxa_activity - access_token_created'",
        user,
    )
    assert late == [("late_arrival", date(2024, 3, 1))], "the line 2 days late is excluded"


def test_s06_duplicate_log_line_counted_once(wh: duckdb.DuckDBPyConnection) -> None:
    user = scenario_user(6)
    copies = rows(
        wh,
        "select coalesce(exclusion_reason, 'admitted') from "
        "wh.intermediate.int_fxa_log_lines_classified where user_id = ? order by 1",
        user,
    )
    assert copies == [("admitted",), ("duplicate_line",)]
    events = rows(wh, f"select count(*) from {DERIVED}.fxa_all_events_v1 where user_id = ?", user)
    assert events == [(1,)]


def test_s07_registration_funnel_with_drop_off(wh: duckdb.DuckDBPyConnection) -> None:
    found = rows(
        wh,
        "select reg_view, reg_email_code_view, reg_complete "
        "from wh.accounts_frontend_derived.registration_funnels_by_service_v1 "
        "where funnel = 'registration_overall_success_by_service' "
        "and service = 'a1b2c3d4e5f60718' and submission_date = '2024-03-05'",
    )
    assert found == [(3, 2, 1)], "flows A-D: 3 views, 2 code views, 1 complete (D not counted)"
    published = rows(
        wh,
        "select service_name from wh.accounts_frontend.registration_funnels_by_service "
        "where funnel = 'registration_overall_success_by_service' "
        "and service = 'a1b2c3d4e5f60718' and submission_date = '2024-03-05'",
    )
    assert len(published) == 1 and published[0][0], "the view names the service from the seed"


def test_s08_mode_last_and_tier1(wh: duckdb.DuckDBPyConnection) -> None:
    expected = {
        scenario_user(8, 1): ("Mexico", True, 1),
        scenario_user(8, 2): ("Germany", True, 1),
        scenario_user(8, 3): ("Mexico", False, 0),
    }
    found = rows(
        wh,
        f"select daily.user_id, daily.country, daily.seen_in_tier1_country, "
        "seen.days_seen_in_tier1_country_bits "
        f"from {DERIVED}.fxa_users_daily_v1 as daily "
        f"inner join {DERIVED}.fxa_users_last_seen_v1 as seen using (submission_date, user_id) "
        "where submission_date = '2024-03-10' and user_id in (?, ?, ?)",
        *expected,
    )
    assert {row[0]: row[1:] for row in found} == expected


def test_s09_devices_per_user_log_side(wh: duckdb.DuckDBPyConnection) -> None:
    user = scenario_user(9)
    assert user_days(wh, "fxa_users_services_daily_v2", user) == [
        date(2024, 3, 1),
        date(2024, 3, 5),
        date(2024, 3, 9),
    ]
    devices = rows(
        wh,
        f"select submission_date, device_id from {DERIVED}.fxa_all_events_v1 "
        "where user_id = ? order by 1",
        user,
    )
    assert len({device for _, device in devices}) == 2, "two hashed devices (d1, d2)"
    assert devices[1][1] == devices[2][1] != devices[0][1]
    assert all(len(device) == 64 for _, device in devices), "device ids are hashed (H)"


def test_s10_new_registration(wh: duckdb.DuckDBPyConnection) -> None:
    user = scenario_user(10)
    daily = rows(
        wh,
        f"select submission_date, registered from {DERIVED}.fxa_users_daily_v1 where user_id = ?",
        user,
    )
    assert daily == [(date(2024, 3, 3), True)]
    seen = last_seen(wh, user)
    assert seen[date(2024, 3, 3)][2] == 1
    assert seen[date(2024, 3, 4)][2] == 2
    assert seen[date(2024, 3, 30)][2] == 134217728
    assert date(2024, 3, 31) not in seen
    first = rows(
        wh,
        f"select did_register, first_service_flow_entrypoint "
        f"from {DERIVED}.fxa_users_services_first_seen_v2 where user_id = ? and service = 'sync'",
        user,
    )
    assert first == [(True, "preferences")]


def test_s11_high_volume_oauth_clients(wh: duckdb.DuckDBPyConnection) -> None:
    user = scenario_user(11)
    events = rows(
        wh,
        f"select event_type, oauth_client_id from {DERIVED}.fxa_all_events_v1 "
        "where user_id = ? order by timestamp",
        user,
    )
    assert [event_type for event_type, _ in events] == [
        "fxa_login - complete",
        "fxa_activity - access_token_created",
    ]
    assert events[0][1] == "5882386c6d801776"
    assert user_days(wh, "fxa_users_daily_v1", user) == [date(2024, 3, 12)]


def test_s12_events_without_user(wh: duckdb.DuckDBPyConnection) -> None:
    counts = rows(
        wh,
        f"select event_count, null_user_event_count, user_count "
        f"from {DERIVED}.fxa_event_counts_daily_v1 "
        "where submission_date = '2024-03-12' and event_type = 'fxa_email_first - view'",
    )
    assert counts == [(1, 1, 0)]
    for table in ("fxa_users_daily_v1", "fxa_users_last_seen_v1", "fxa_users_services_daily_v2"):
        nulls = rows(wh, f"select count(*) from {DERIVED}.{table} where user_id is null")
        assert nulls == [(0,)], f"{table} has a NULL-user row"


def test_s13_monitor_only_day(wh: duckdb.DuckDBPyConnection) -> None:
    only, plus_login = scenario_user(13, 1), scenario_user(13, 2)
    found = rows(
        wh,
        "select daily.user_id, daily.monitor_only, seen.days_seen_bits & 1, "
        "seen.days_seen_no_monitor_bits & 1 "
        f"from {DERIVED}.fxa_users_daily_v1 as daily "
        f"inner join {DERIVED}.fxa_users_last_seen_v1 as seen using (submission_date, user_id) "
        "where submission_date = '2024-03-14' and user_id in (?, ?)",
        only,
        plus_login,
    )
    assert {row[0]: row[1:] for row in found} == {only: (True, 1, 0), plus_login: (False, 1, 1)}


def test_s14_deleted_account_erased_everywhere(wh: duckdb.DuckDBPyConnection) -> None:
    user = scenario_user(14)
    deleted = rows(
        wh,
        "select deletion_date from wh.intermediate.int_fxa_deleted_users where user_id_sha256 = ?",
        user,
    )
    assert deleted == [(date(2024, 3, 20),)]
    relations = rows(
        wh,
        "select table_schema, table_name, column_name from information_schema.columns "
        "where table_catalog = 'wh' and column_name in ('user_id', 'user_id_sha256') "
        "and (table_schema like '%accounts%')",
    )
    assert len(relations) >= 10
    for schema, table, column in relations:
        found = rows(wh, f"select count(*) from wh.{schema}.{table} where {column} = ?", user)
        assert found == [(0,)], f"{schema}.{table} still holds the deleted user"


def test_s15_stale_flow_context(wh: duckdb.DuckDBPyConnection) -> None:
    user = scenario_user(15)
    events = rows(
        wh,
        f"select event_type, flow_id, entrypoint from {DERIVED}.fxa_all_events_v1 "
        "where user_id = ? and submission_date = '2024-03-18' order by timestamp",
        user,
    )
    assert ("fxa_login - email_confirmed", None, None) in events
    assert user_days(wh, "fxa_users_daily_v1", user) == [date(2024, 3, 18)]
    attribution = rows(
        wh,
        f"select user_service_first_daily_flow_info.flow_id "
        f"from {DERIVED}.fxa_users_services_daily_v2 where user_id = ?",
        user,
    )
    assert attribution == [(None,)], "events without flow context attribute nothing"


def test_s16_stage_traffic_not_in_prod(wh: duckdb.DuckDBPyConnection) -> None:
    user = scenario_user(16)
    raw = rows(
        wh,
        "select count(*) from wh.fxa_logs.raw_fxa_log_stderr_nonprod "
        "where jsonPayload__fields__user_id = ?",
        f"5c16{'0' * 26}01",
    )
    assert raw[0][0] >= 1, "the stage line is missing from the nonprod demo table"
    assert rows(
        wh, f"select count(*) from {DERIVED}.fxa_all_events_v1 where user_id = ?", user
    ) == [(0,)]
    glean = rows(
        wh,
        "select count(*) from wh.accounts_backend_derived.users_services_daily_v1 "
        "where user_id_sha256 = ?",
        user,
    )
    assert glean == [(0,)]


# --- bad input: each kind has a decided outcome, counted ---


def test_bad_input_lines_quarantined_and_counted(wh: duckdb.DuckDBPyConnection) -> None:
    quarantine = dict(
        rows(
            wh,
            f"select quarantine_reason, count(*) from {DERIVED}.fxa_log_quarantine_v1 group by 1",
        )
    )
    assert quarantine == {
        "invalid_event_properties_json": 1,
        "invalid_user_properties_json": 1,
        "missing_event_type": 1,
        "missing_timestamp": 2,  # the line and a duplicate copy of it: no key to dedupe on
        "unknown_logger": 1,
    }
    outcomes = dict(
        rows(
            wh,
            f"select outcome, sum(line_count) from {DERIVED}.fxa_log_line_outcomes_daily_v1 "
            "group by 1",
        )
    )
    for reason, count in quarantine.items():
        assert outcomes[reason] == count, f"{reason}: outcomes and quarantine disagree"
    raw_lines = rows(
        wh,
        "select (select count(*) from wh.fxa_logs.raw_fxa_log_stderr) "
        "+ (select count(*) from wh.fxa_logs.raw_fxa_log_stdout)",
    )[0][0]
    assert sum(outcomes.values()) == raw_lines, "every landed line is counted exactly once"
    admitted = rows(wh, f"select count(*) from {DERIVED}.fxa_all_events_v1")[0][0]
    assert outcomes["admitted"] == admitted
    for reason in ("duplicate_line", "late_arrival", "text_payload", "metrics_opted_out"):
        assert outcomes.get(reason, 0) > 0, f"no {reason} outcome in the demo data"


def test_duplicates_and_null_users_have_decided_outcomes(wh: duckdb.DuckDBPyConnection) -> None:
    duplicates = rows(
        wh,
        f"select count(*) - count(distinct (_log_name, timestamp, _insert_id)) "
        f"from {DERIVED}.fxa_all_events_v1",
    )
    assert duplicates == [(0,)]
    raw_copies = rows(
        wh,
        "select count(*) - count(distinct (timestamp, insertId, logName)) from ("
        "select timestamp, insertId, logName from wh.fxa_logs.raw_fxa_log_stderr union all "
        "select timestamp, insertId, logName from wh.fxa_logs.raw_fxa_log_stdout) "
        "where timestamp is not null",
    )[0][0]
    counted = rows(
        wh,
        f"select sum(line_count) from {DERIVED}.fxa_log_line_outcomes_daily_v1 "
        "where outcome = 'duplicate_line'",
    )[0][0]
    assert 0 < counted <= raw_copies
    # NULL users: admitted as events, counted in null_user_event_count, never in user rollups
    null_events = rows(
        wh, f"select count(*) from {DERIVED}.fxa_all_events_v1 where user_id is null"
    )[0][0]
    null_counted = rows(
        wh, f"select sum(null_user_event_count) from {DERIVED}.fxa_event_counts_daily_v1"
    )[0][0]
    assert null_events > 0 and null_counted == null_events
    # unparsable event time: admitted with event_time NULL (docs/fxa_events.md 2.1)
    unparsable = rows(
        wh,
        f"select count(*) from {DERIVED}.fxa_all_events_v1 "
        "where event_time is null and submission_date = '2024-03-20' and user_id = ?",
        h("5c626100000000000000000000000001"),  # the generator's bad_input_lines user
    )
    assert unparsable[0][0] >= 1


def test_glean_bad_input_counted(wh: duckdb.DuckDBPyConnection) -> None:
    reasons = {
        (outcome, reason): count
        for outcome, reason, count in rows(
            wh,
            "select outcome, reason, count(*) from wh.intermediate.int_glean_events_quarantined "
            "group by all",
        )
    }
    for key in (
        ("excluded", "duplicate_event_id"),
        ("excluded", "missing_event_name"),
        ("excluded", "missing_submission_timestamp"),
        ("excluded", "excluded_channel"),
        ("excluded", "metrics_opted_out"),
        ("excluded_from_user_rollups", "missing_user_id"),
        ("kept_extra_nulled", "invalid_event_extra_json"),
    ):
        assert reasons.get(key, 0) >= 1, f"Glean bad input {key} is not counted"
