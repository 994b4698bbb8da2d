"""Deterministic demo data for the FxA server-log lineage and the accounts DB snapshots.

``demo_users(seed)`` is the demo population shared with the Glean generator (``demo_glean``): every
user has a raw 32-hex uid, an email, a creation time, an optional metrics opt-out (and opt-in)
time, an optional deletion time, locale, country and a few devices and services. The named users of
docs/fxa_events.md section 5 (scenarios S1-S16, plus R4 and the bad-input lines) are listed first
with recognisable uids: ``5c<scenario 2 digits>`` + zeros + ``<user 2 digits>`` (S1 and S2 use the
spec's U1/U2 so its H() values can be checked by hand). ``seeds/demo/FXA_SCENARIOS.md`` documents
them.

``generate(scale, seed)`` returns ``{"<schema>/<file_stem>": rows}``:

- ``fxa_logs/raw_fxa_log_{stdout,stderr}[_nonprod]``: Cloud Logging rows, nested paths flattened
  as ``a__b__c`` (docs/fxa_events.md 1.1), including the bad input lines (invalid JSON, missing
  timestamp, duplicates, unknown logger, NULL user, late lines, text payloads);
- ``accounts_db/raw_fxa_accounts``: one row per account per daily snapshot (docs/fxa_events.md 1.3).
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

START_DATE = date(2024, 2, 1)
END_DATE = date(2024, 4, 30)  # inclusive: 90 days
SNAPSHOT_TIME = timedelta(hours=1, minutes=30)

U1 = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
U2 = "a1b2c3d4e5f60718293a4b5c6d7e8f90"
DEMO_RELIER_ID = "a1b2c3d4e5f60718"  # fictional relier of S4/S7, in the OAuth clients seed
TEST_RELIER_ID = "3c32bf6654542211"  # 123done, excluded from the funnel views
DESKTOP_SYNC_ID = "5882386c6d801776"
FENNEC_SYNC_ID = "3332a18d142636cb"
IOS_SYNC_ID = "1b1a3e44c54fbb58"

# service name -> OAuth client id (names as the auth server logs them in event_properties.service)
SERVICES: dict[str, str] = {
    "sync": DESKTOP_SYNC_ID,
    "monitor": "802d56ef2a9af9fa",
    "fx-monitor": "802d56ef2a9af9fa",
    "relay": "9ebfe2c2f9ea3c58",
    "vpn": "e6eb0d1e856335fc",
    "pocket": "7377719276ad44ee",
    "demo-relier": DEMO_RELIER_ID,
}

COUNTRIES: list[tuple[str, str, str, float]] = [
    # (country name as FxA's GeoIP writes it, ISO code, language, weight)
    ("United States", "US", "en-US", 0.30),
    ("Germany", "DE", "de-DE", 0.14),
    ("France", "FR", "fr-FR", 0.10),
    ("United Kingdom", "GB", "en-GB", 0.08),
    ("Canada", "CA", "en-CA", 0.06),
    ("Mexico", "MX", "es-MX", 0.06),
    ("Brazil", "BR", "pt-BR", 0.06),
    ("India", "IN", "en-IN", 0.06),
    ("Japan", "JP", "ja", 0.05),
    ("Poland", "PL", "pl", 0.05),
    ("Italy", "IT", "it", 0.04),
]
COUNTRY_CODE = {name: code for name, code, _, _ in COUNTRIES} | {"Spain": "ES"}
REGIONS = {
    "United States": "California",
    "Germany": "Berlin",
    "France": "Ile-de-France",
    "Mexico": "Jalisco",
}
OS_CHOICES: list[tuple[str, str]] = [
    ("Windows", "10"),
    ("Windows", "11"),
    ("Mac OS X", "14.2"),
    ("Linux", ""),
    ("Android", "14"),
    ("iOS", "17.3"),
]


@dataclass(frozen=True)
class Scenario:
    """A named demo user: scenario label, index and the parts of its profile the scenario fixes."""

    scenario: str
    index: int
    label: str
    country: str = "Germany"
    created_at: datetime = datetime(2023, 11, 2, 8, 58, tzinfo=UTC)
    metrics_opt_out_at: datetime | None = None
    metrics_opt_in_at: datetime | None = None
    deleted_at: datetime | None = None
    uid: str | None = None


def ts(day: date, hour: int = 0, minute: int = 0, second: int = 0, micro: int = 0) -> datetime:
    """A UTC timestamp on a day."""
    return datetime(day.year, day.month, day.day, hour, minute, second, micro, tzinfo=UTC)


def scenario_uid(number: int, index: int) -> str:
    """Recognisable uid of a named scenario user: 5c<NN>000...0<KK> (32 lowercase hex)."""
    return f"5c{number:02d}{'0' * 26}{index:02d}"


MAR = date(2024, 3, 1)

SCENARIOS: list[Scenario] = [
    Scenario("S1", 1, "s01_active_day1_and_day28", uid=U1),
    Scenario("S2", 1, "s02_single_day_ages_out", country="France", uid=U2),
    Scenario("S3", 1, "s03_opt_out_mid_month", metrics_opt_out_at=ts(date(2024, 3, 15), 12)),
    Scenario("S4", 1, "s04_flow_spanning_midnight", country="United States"),
    Scenario("S5", 1, "s05_late_arrival"),
    Scenario("S6", 1, "s06_duplicate_lines"),
    Scenario("S7", 1, "s07_reg_funnel_flow_a", created_at=ts(date(2024, 3, 5), 9, 10)),
    Scenario("S7", 4, "s07_reg_funnel_flow_d", created_at=ts(date(2024, 3, 5), 11, 40)),
    Scenario("S8", 1, "s08_mode_last_mexico", country="Mexico"),
    Scenario("S8", 2, "s08_tie_france_germany", country="Germany"),
    Scenario("S8", 3, "s08_mexico_only", country="Mexico"),
    Scenario("S9", 1, "s09_two_devices"),
    Scenario("S10", 1, "s10_new_registration", created_at=ts(date(2024, 3, 3), 9, 59)),
    Scenario("S11", 1, "s11_high_volume_clients"),
    Scenario("S12", 1, "s12_events_without_user"),
    Scenario("S13", 1, "s13_monitor_only_day", country="United States"),
    Scenario("S13", 2, "s13_monitor_plus_login", country="United States"),
    Scenario("S14", 1, "s14_account_deleted", deleted_at=ts(date(2024, 3, 20), 14)),
    Scenario("S15", 1, "s15_stale_flow_context"),
    Scenario("S16", 1, "s16_stage_traffic"),
    Scenario(
        "R4",
        1,
        "r4_opt_out_then_opt_in",
        metrics_opt_out_at=ts(date(2024, 3, 5), 8),
        metrics_opt_in_at=ts(date(2024, 3, 20), 18),
    ),
    Scenario("BAD", 1, "bad_input_lines"),
]


def _hex(rng: random.Random, n_bytes: int) -> str:
    return f"{rng.getrandbits(8 * n_bytes):0{2 * n_bytes}x}"


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.strftime("%Y-%m-%d %H:%M:%S.%f")


def _profile(rng: random.Random, country: str | None = None) -> dict[str, Any]:
    if country is None:
        country = rng.choices([c[0] for c in COUNTRIES], weights=[c[3] for c in COUNTRIES])[0]
    language = next((c[2] for c in COUNTRIES if c[0] == country), "en-US")
    os_name, os_version = rng.choice(OS_CHOICES)
    return {
        "country": country,
        "country_code": COUNTRY_CODE.get(country),
        "language": language,
        "locale": f"{language.split('-')[0]},{language}",
        "os_name": os_name,
        "os_version": os_version,
        "ua_browser": "Firefox",
        "ua_version": rng.choice(["122.0", "123.0", "124.0"]),
        "app_version": rng.choice(["254", "255", "256"]),
    }


def demo_users(seed: int) -> list[dict[str, Any]]:
    """The demo population: named scenario users first, then ~300 background users.

    Keys: ``label``, ``scenario`` (S1..S16, R4, BAD, or None), ``uid`` (raw 32 hex),
    ``email``, ``created_at``, ``metrics_opt_out_at`` / ``metrics_opt_in_at`` (UTC datetimes
    or None; opt-in clears the opt-out, R4), ``deleted_at`` and ``is_deleted``, ``locale``,
    ``language``, ``country`` (English name), ``country_code`` (ISO), ``os_name``,
    ``os_version``, ``ua_browser``, ``ua_version``, ``app_version``, ``services`` (service names
    used, first = main), ``device_ids`` (raw device record ids, 32 hex), ``activity_rate``
    (probability of being active on a given day; 0 for scenario users, whose events are fixed).
    """
    rng = random.Random(f"demo_fxa.users.{seed}")
    users: list[dict[str, Any]] = []
    for item in SCENARIOS:
        number = int(item.scenario[1:]) if item.scenario.startswith("S") else 0
        uid = item.uid or (
            scenario_uid(number, item.index)
            if number
            else f"5c{item.scenario.lower().encode().hex()[:4]}{'0' * 24}{item.index:02d}"
        )
        users.append(
            {
                "label": item.label,
                "scenario": item.scenario,
                "uid": uid,
                "email": f"{item.label.replace('_', '.')}@example.org",
                "created_at": item.created_at,
                "metrics_opt_out_at": item.metrics_opt_out_at,
                "metrics_opt_in_at": item.metrics_opt_in_at,
                "deleted_at": item.deleted_at,
                "is_deleted": item.deleted_at is not None,
                **_profile(rng, item.country),
                "services": ["sync"],
                "device_ids": [_hex(rng, 16), _hex(rng, 16)],
                "activity_rate": 0.0,
            }
        )
    window_days = (END_DATE - START_DATE).days + 1
    for index in range(300):
        created_at = ts(START_DATE, 0) + timedelta(
            days=rng.randint(-400, window_days - 5),
            seconds=rng.randint(0, 86399),
        )
        opt_out = None
        opt_in = None
        deleted = None
        draw = rng.random()
        if draw < 0.06:
            opt_out = max(created_at, ts(START_DATE)) + timedelta(
                days=rng.randint(1, 60), seconds=rng.randint(0, 86399)
            )
            if rng.random() < 0.3:
                opt_in = opt_out + timedelta(days=rng.randint(3, 20), hours=rng.randint(0, 23))
        elif draw < 0.09:
            deleted = max(created_at, ts(START_DATE)) + timedelta(
                days=rng.randint(5, 80), seconds=rng.randint(0, 86399)
            )
        services = ["sync"] if rng.random() < 0.7 else []
        services += rng.sample(
            ["monitor", "relay", "vpn", "pocket", "demo-relier"], rng.randint(0, 2)
        )
        if not services:
            services = ["monitor"]
        profile = _profile(rng)
        users.append(
            {
                "label": f"user_{index:04d}",
                "scenario": None,
                "uid": _hex(rng, 16),
                "email": f"user{index:04d}.{_hex(rng, 2)}@example.{rng.choice(['com', 'net'])}",
                "created_at": created_at,
                "metrics_opt_out_at": opt_out if opt_out and opt_out.date() <= END_DATE else None,
                "metrics_opt_in_at": opt_in if opt_in and opt_in.date() <= END_DATE else None,
                "deleted_at": deleted if deleted and deleted.date() <= END_DATE else None,
                "is_deleted": bool(deleted and deleted.date() <= END_DATE),
                **profile,
                "services": services,
                "device_ids": [_hex(rng, 16) for _ in range(rng.randint(1, 3))],
                "activity_rate": round(rng.choice([0.05, 0.15, 0.3, 0.6, 0.9]), 2),
            }
        )
    return users


def scenario_flow_id(name: str) -> str:
    """Deterministic 64-hex flow id of a named scenario flow (``S4``, ``S7-A``, ``S15-F3``...)."""
    return hashlib.sha256(f"demo_fxa.flow.{name}".encode()).hexdigest()


RAW_LOG_COLUMNS: list[str] = [
    "timestamp",
    "receiveTimestamp",
    "insertId",
    "logName",
    "severity",
    "resource__type",
    "resource__labels__project_id",
    "resource__labels__container_name",
    "labels__k8s_pod_deployment",
    "httpRequest__remoteIp",
    "httpRequest__userAgent",
    "textPayload",
    "jsonPayload__type",
    "jsonPayload__logger",
    "jsonPayload__timestamp",
    "jsonPayload__severity",
    "jsonPayload__pid",
    "jsonPayload__envversion",
    "jsonPayload__hostname",
    "jsonPayload__op",
    "jsonPayload__email",
    "jsonPayload__ip",
    "jsonPayload__event",
    "jsonPayload__flow_id",
    "jsonPayload__fields__event_type",
    "jsonPayload__fields__time",
    "jsonPayload__fields__user_id",
    "jsonPayload__fields__device_id",
    "jsonPayload__fields__session_id",
    "jsonPayload__fields__app_version",
    "jsonPayload__fields__language",
    "jsonPayload__fields__country",
    "jsonPayload__fields__region",
    "jsonPayload__fields__country_code",
    "jsonPayload__fields__os_name",
    "jsonPayload__fields__os_version",
    "jsonPayload__fields__device_model",
    "jsonPayload__fields__event_properties",
    "jsonPayload__fields__user_properties",
    "jsonPayload__fields__emailverified",
    "jsonPayload__fields__metricsoptoutat",
    "jsonPayload__fields__uid",
    "jsonPayload__fields__email",
    "jsonPayload__fields__ip",
    "jsonPayload__fields__useragent",
    "jsonPayload__fields__event",
    "_ingest_date",
]

ACCOUNT_COLUMNS: list[str] = [
    "uid",
    "email",
    "normalizedEmail",
    "emailVerified",
    "verifierVersion",
    "verifierSetAt",
    "createdAt",
    "locale",
    "lockedAt",
    "disabledAt",
    "profileChangedAt",
    "keysChangedAt",
    "ecosystemAnonId",
    "metricsOptOutAt",
    "atLeast18AtReg",
    "_snapshot_at",
]

STREAM_OF_LOGGER = {
    "fxa-auth-server": "stderr",
    "fxa-content-server": "stdout",
    "fxa-payments-server": "stdout",
}


class LogWriter:
    """Accumulates raw log rows per landing table, with deterministic insertIds and IPs."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(f"demo_fxa.logs.{seed}")
        self.tables: dict[str, list[dict[str, Any]]] = {
            "raw_fxa_log_stdout": [],
            "raw_fxa_log_stderr": [],
            "raw_fxa_log_stdout_nonprod": [],
            "raw_fxa_log_stderr_nonprod": [],
        }

    def ip(self) -> str:
        return f"198.51.{self.rng.randint(0, 255)}.{self.rng.randint(1, 254)}"

    def row(
        self,
        when: datetime | None,
        stream: str,
        *,
        nonprod: bool = False,
        receive_delay: timedelta | None = None,
        receive_at: datetime | None = None,
        insert_id: str | None = None,
        **values: Any,
    ) -> dict[str, Any]:
        project = "moz-fx-fxa-nonprod" if nonprod else "moz-fx-fxa-prod"
        if receive_at is None:
            base = when if when is not None else ts(START_DATE)
            receive_at = base + (
                receive_delay or timedelta(milliseconds=self.rng.randint(200, 3000))
            )
        row: dict[str, Any] = dict.fromkeys(RAW_LOG_COLUMNS)
        row.update(
            {
                "timestamp": _iso(when),
                "receiveTimestamp": _iso(receive_at),
                "insertId": insert_id or _hex(self.rng, 7)[:13],
                "logName": f"projects/{project}/logs/{stream}",
                "severity": "INFO",
                "resource__type": "k8s_container",
                "resource__labels__project_id": project,
                "_ingest_date": receive_at.date().isoformat(),
            }
        )
        row.update(values)
        table = f"raw_fxa_log_{stream}" + ("_nonprod" if nonprod else "")
        self.tables[table].append(row)
        return row

    def amplitude(
        self,
        when: datetime | None,
        event_type: str | None,
        *,
        user: dict[str, Any] | None,
        logger: str = "fxa-auth-server",
        service: str | None = None,
        client_id: str | None = None,
        flow_id: str | None = None,
        flow_begin: datetime | None = None,
        entrypoint: str | None = None,
        utm: dict[str, str] | None = None,
        country: str | None = None,
        device: str | None = None,
        nonprod: bool = False,
        event_properties: str | None = None,
        user_properties: str | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        """One Cloud Logging row holding a mozlog amplitudeEvent (docs/fxa_events.md 1.1)."""
        props: dict[str, Any] = {}
        if service is not None:
            props["service"] = service
        if client_id is not None:
            props["oauth_client_id"] = client_id
        if country is None and user is not None:
            country = user["country"]
        if logger == "fxa-auth-server" and country is not None:
            props["country_code"] = COUNTRY_CODE.get(country)
        user_props: dict[str, Any] = {}
        if flow_id is not None:
            user_props["flow_id"] = flow_id
        if entrypoint is not None:
            user_props["entrypoint"] = entrypoint
        user_props.update(utm or {})
        if user is not None:
            user_props["ua_browser"] = user["ua_browser"]
            user_props["ua_version"] = user["ua_version"]
        if service is not None:
            user_props["$append"] = {"fxa_services_used": service}
        stream = STREAM_OF_LOGGER.get(logger, "stdout")
        moment = when or ts(START_DATE)
        values: dict[str, Any] = dict(
            labels__k8s_pod_deployment=logger.split("-")[1] if "-" in logger else logger,
            resource__labels__container_name=stream,
            jsonPayload__type="amplitudeEvent",
            jsonPayload__logger=logger,
            jsonPayload__timestamp=int(moment.timestamp() * 1e9),
            jsonPayload__severity=6,
            jsonPayload__pid=27,
            jsonPayload__envversion="2.0",
            jsonPayload__hostname=f"{stream}-{self.rng.randint(1, 9)}",
            jsonPayload__op="amplitudeEvent",
            jsonPayload__fields__event_type=event_type,
            jsonPayload__fields__time=int(moment.timestamp() * 1000),
            jsonPayload__fields__user_id=None if user is None else user["uid"],
            jsonPayload__fields__device_id=device,
            jsonPayload__fields__session_id=(
                int(flow_begin.timestamp() * 1000) if flow_begin is not None else None
            ),
            jsonPayload__fields__app_version=None if user is None else user["app_version"],
            jsonPayload__fields__language="en-US" if user is None else user["language"],
            jsonPayload__fields__country=country,
            jsonPayload__fields__region=REGIONS.get(country or ""),
            jsonPayload__fields__os_name=None if user is None else user["os_name"],
            jsonPayload__fields__os_version=None if user is None else user["os_version"],
            jsonPayload__fields__event_properties=(
                event_properties if event_properties is not None else json.dumps(props)
            ),
            jsonPayload__fields__user_properties=(
                user_properties if user_properties is not None else json.dumps(user_props)
            ),
        )
        receive_at = extra.pop("receive_at", None)
        values.update(extra)
        return self.row(when, stream, nonprod=nonprod, receive_at=receive_at, **values)

    def deletion(self, when: datetime, user: dict[str, Any]) -> None:
        """The auth server's deletion records for an account (docs/fxa_events.md 1.1, drives erasure
        4.6)."""
        self.row(
            when,
            "stderr",
            labels__k8s_pod_deployment="auth",
            jsonPayload__type="DB.deleteAccount",
            jsonPayload__logger="fxa-auth-server",
            jsonPayload__severity=6,
            jsonPayload__op="DB.deleteAccount",
            jsonPayload__fields__uid=user["uid"],
            jsonPayload__fields__email=user["email"],
        )
        self.row(
            when + timedelta(milliseconds=40),
            "stderr",
            labels__k8s_pod_deployment="auth",
            jsonPayload__type="activityEvent",
            jsonPayload__logger="fxa-auth-server",
            jsonPayload__severity=6,
            jsonPayload__op="activityEvent",
            jsonPayload__fields__event="account.deleted",
            jsonPayload__fields__uid=user["uid"],
            jsonPayload__fields__ip=self.ip(),
        )

    def operational(self, when: datetime, user: dict[str, Any]) -> None:
        """Non-analytics lines full of PII: activity event, customs check, a text payload."""
        address = self.ip()
        self.row(
            when,
            "stderr",
            labels__k8s_pod_deployment="auth",
            httpRequest__remoteIp=address,
            httpRequest__userAgent="Mozilla/5.0 (X11; Linux x86_64; rv:123.0) Firefox/123.0",
            jsonPayload__type="activityEvent",
            jsonPayload__logger="fxa-auth-server",
            jsonPayload__severity=6,
            jsonPayload__op="activityEvent",
            jsonPayload__fields__event="account.login",
            jsonPayload__fields__uid=user["uid"],
            jsonPayload__fields__ip=address,
            jsonPayload__fields__useragent="Mozilla/5.0 Firefox/123.0",
        )
        self.row(
            when + timedelta(milliseconds=5),
            "stdout",
            labels__k8s_pod_deployment="customs",
            jsonPayload__type="customs.check",
            jsonPayload__logger="fxa-customs-server",
            jsonPayload__op="request.check",
            jsonPayload__email=user["email"],
            jsonPayload__ip=address,
        )
        if self.rng.random() < 0.1:
            self.row(
                when + timedelta(milliseconds=9),
                "stderr",
                severity="ERROR",
                labels__k8s_pod_deployment="auth",
                textPayload=f"Unhandled rejection for {user['email']} from {address}: timeout",
            )


def _scenario_events(log: LogWriter, users: dict[str, dict[str, Any]]) -> None:
    """The fixed lines of the named scenario users (docs/fxa_events.md section 5)."""
    rng = log.rng
    u = users
    # S1: U1 cert_signed (no service) on 03-01 and 03-28, Germany
    for day in (date(2024, 3, 1), date(2024, 3, 28)):
        log.amplitude(
            ts(day, 10), "fxa_activity - cert_signed", user=u["s01_active_day1_and_day28"]
        )
    # S2: U2 active on 03-01 only
    log.amplitude(
        ts(MAR, 11),
        "fxa_login - complete",
        user=u["s02_single_day_ages_out"],
        service="sync",
        client_id=DESKTOP_SYNC_ID,
    )
    # S3: daily monitor login 03-01..03-31, opt-out 03-15 12:00, stray 15:00 event that day
    s3 = u["s03_opt_out_mid_month"]
    for offset in range(31):
        day = MAR + timedelta(days=offset)
        hours = (9, 15) if day == date(2024, 3, 15) else (10,)
        for hour in hours:
            log.amplitude(ts(day, hour), "fxa_login - complete", user=s3, service="monitor")
    # S4: flow F spans midnight; content views have no user, the auth complete is on 03-02
    s4 = u["s04_flow_spanning_midnight"]
    flow_f = scenario_flow_id("S4")
    begin_f = ts(MAR, 23, 50)
    for when, event_type in (
        (begin_f, "fxa_login - view"),
        (ts(MAR, 23, 58), "fxa_login - submit"),
    ):
        log.amplitude(
            when,
            event_type,
            user=None,
            logger="fxa-content-server",
            service="demo-relier",
            client_id=DEMO_RELIER_ID,
            flow_id=flow_f,
            flow_begin=begin_f,
            entrypoint="demo-relier-header",
            country="United States",
        )
    log.amplitude(
        ts(date(2024, 3, 2), 0, 3),
        "fxa_login - complete",
        user=s4,
        service="demo-relier",
        client_id=DEMO_RELIER_ID,
        flow_id=flow_f,
        flow_begin=begin_f,
        entrypoint="demo-relier-header",
    )
    # S5: counted on 03-01 although received after midnight; a line 2 days late is excluded
    s5 = u["s05_late_arrival"]
    log.amplitude(
        ts(MAR, 23, 59, 59),
        "fxa_login - complete",
        user=s5,
        service="sync",
        receive_at=ts(date(2024, 3, 2), 0, 0, 3),
    )
    log.amplitude(
        ts(MAR, 12),
        "fxa_activity - access_token_created",
        user=s5,
        service="relay",
        client_id=SERVICES["relay"],
        receive_at=ts(date(2024, 3, 3), 8),
    )
    # S6: the same line (timestamp, insertId, logName) landed twice
    s6_line = log.amplitude(
        ts(date(2024, 3, 6), 10),
        "fxa_login - complete",
        user=u["s06_duplicate_lines"],
        service="sync",
    )
    log.tables["raw_fxa_log_stderr"].append(dict(s6_line))
    # S7: registrations of flows A and D on 03-05 (the funnel itself is Glean)
    for label, flow, hour in (
        ("s07_reg_funnel_flow_a", "S7-A", 9),
        ("s07_reg_funnel_flow_d", "S7-D", 11),
    ):
        log.amplitude(
            ts(date(2024, 3, 5), hour, 45),
            "fxa_reg - complete",
            user=u[label],
            service="demo-relier",
            client_id=DEMO_RELIER_ID,
            flow_id=scenario_flow_id(flow),
            flow_begin=ts(date(2024, 3, 5), hour, 40),
            entrypoint="demo-relier-signup",
        )
    # S8: mode_last and tier-1 on 03-10
    d10 = date(2024, 3, 10)
    for label, points in (
        ("s08_mode_last_mexico", ((8, "United States"), (12, "Mexico"), (18, "Mexico"))),
        ("s08_tie_france_germany", ((9, "France"), (17, "Germany"))),
        ("s08_mexico_only", ((10, "Mexico"),)),
    ):
        for hour, country in points:
            log.amplitude(
                ts(d10, hour),
                "fxa_login - complete",
                user=u[label],
                service="sync",
                country=country,
            )
    # S9: two devices, flows F1 (d1, 03-01) and F2 (d2, 03-05 and 03-09)
    s9 = u["s09_two_devices"]
    for day, device, flow in ((1, 0, "S9-F1"), (5, 1, "S9-F2"), (9, 1, "S9-F2")):
        log.amplitude(
            ts(date(2024, 3, day), 9),
            "fxa_login - complete",
            user=s9,
            service="sync",
            client_id=DESKTOP_SYNC_ID,
            device=s9["device_ids"][device],
            flow_id=scenario_flow_id(flow),
            flow_begin=ts(date(2024, 3, day), 8, 58),
            entrypoint="preferences",
        )
    # S10: new registration on 03-03, no later activity
    s10 = u["s10_new_registration"]
    d3 = date(2024, 3, 3)
    flow10 = scenario_flow_id("S10")
    for when, event_type, service in (
        (ts(d3, 9, 59), "fxa_reg - created", None),
        (ts(d3, 10), "fxa_reg - complete", "sync"),
        (ts(d3, 10, 1), "fxa_activity - cert_signed", None),
    ):
        log.amplitude(
            when,
            event_type,
            user=s10,
            service=service,
            flow_id=flow10,
            flow_begin=ts(d3, 9, 55),
            entrypoint="preferences",
            utm={"utm_source": "newsletter", "utm_medium": "email"},
        )
    # S11: high-volume OAuth clients on 03-12
    s11 = u["s11_high_volume_clients"]
    d12 = date(2024, 3, 12)
    for minute, event_type, client, service in (
        (0, "fxa_activity - access_token_checked", DESKTOP_SYNC_ID, "sync"),
        (1, "fxa_login - complete", DESKTOP_SYNC_ID, "sync"),
        (2, "fxa_login - complete", FENNEC_SYNC_ID, "sync"),
        (3, "fxa_activity - access_token_created", SERVICES["vpn"], "vpn"),
    ):
        log.amplitude(ts(d12, 9, minute), event_type, user=s11, service=service, client_id=client)
    # S12: content event without a user
    log.amplitude(ts(d12, 13), "fxa_email_first - view", user=None, logger="fxa-content-server")
    # S13: monitor-only day vs monitor plus a login
    for label in ("s13_monitor_only_day", "s13_monitor_plus_login"):
        for hour in (10, 11):
            log.amplitude(
                ts(date(2024, 3, 14), hour), "fxa_rp - engage", user=u[label], service="fx-monitor"
            )
    log.amplitude(
        ts(date(2024, 3, 14), 12),
        "fxa_login - complete",
        user=u["s13_monitor_plus_login"],
        service="monitor",
    )
    # S14: active 03-01..03-19, deleted 03-20
    s14 = u["s14_account_deleted"]
    for offset in range(19):
        log.amplitude(
            ts(MAR + timedelta(days=offset), 10), "fxa_login - complete", user=s14, service="sync"
        )
    log.operational(ts(date(2024, 3, 19), 10, 0, 1), s14)
    log.deletion(s14["deleted_at"], s14)
    # S15: flow F3 begins 10:00, email confirmation at 12:30 without flow context
    s15 = u["s15_stale_flow_context"]
    d18 = date(2024, 3, 18)
    flow3 = scenario_flow_id("S15-F3")
    log.amplitude(
        ts(d18, 10, 1),
        "fxa_activity - access_token_created",
        user=s15,
        service="sync",
        client_id=DESKTOP_SYNC_ID,
        flow_id=flow3,
        flow_begin=ts(d18, 10),
        entrypoint="fxa_discoverability_native",
    )
    for second, event_type in ((0, "fxa_login - email_confirmed"), (5, "fxa_login - complete")):
        log.amplitude(
            ts(d18, 12, 30, second), event_type, user=s15, service="sync", flow_begin=ts(d18, 10)
        )
    # S16: stage traffic only in the nonprod tables
    log.amplitude(
        ts(d12, 8),
        "fxa_login - complete",
        user=u["s16_stage_traffic"],
        service="sync",
        nonprod=True,
    )
    # R4: daily sync login 03-01..03-31; opted out 03-05 08:00, back in 03-20 18:00
    r4 = u["r4_opt_out_then_opt_in"]
    for offset in range(31):
        log.amplitude(
            ts(MAR + timedelta(days=offset), 10), "fxa_login - complete", user=r4, service="sync"
        )
    # Bad input lines (each lands in the quarantine or a counted exclusion)
    bad = u["bad_input_lines"]
    d20 = date(2024, 3, 20)
    log.amplitude(
        ts(d20, 9),
        "fxa_login - complete",
        user=bad,
        service="sync",
        event_properties='{"service": "sync", "oauth_client_id": ',
    )
    log.amplitude(
        ts(d20, 9, 1),
        "fxa_login - complete",
        user=bad,
        service="sync",
        user_properties="flow_id=abc; not json",
    )
    log.amplitude(
        None,
        "fxa_login - complete",
        user=bad,
        service="sync",
        receive_at=ts(d20, 9, 2),
        jsonPayload__fields__time=None,
    )
    log.amplitude(
        ts(d20, 9, 3), "fxa_login - complete", user=bad, service="sync", logger="fxa-profile-server"
    )
    log.amplitude(ts(d20, 9, 4), None, user=bad, service="sync")
    log.amplitude(
        ts(d20, 9, 5),
        "fxa_login - complete",
        user=bad,
        service="sync",
        jsonPayload__fields__time="not-a-number",
    )
    log.amplitude(
        ts(d20, 9, 6),
        "fxa_login - complete",
        user=bad,
        service="sync",
        jsonPayload__fields__emailverified="true",
        jsonPayload__fields__metricsoptoutat=str(int(ts(d20).timestamp() * 1000)),
    )
    log.row(
        ts(d20, 9, 7),
        "stderr",
        severity="ERROR",
        labels__k8s_pod_deployment="auth",
        textPayload=f"TypeError: cannot read uid {bad['uid']} of {bad['email']}",
    )
    del rng


BACKGROUND_EVENTS: list[tuple[str, str, bool, float]] = [
    # (event_type, logger, carries the user's service, weight)
    ("fxa_activity - cert_signed", "fxa-auth-server", False, 3.0),
    ("fxa_activity - access_token_checked", "fxa-auth-server", True, 4.0),
    ("fxa_activity - access_token_created", "fxa-auth-server", True, 2.0),
    ("fxa_login - complete", "fxa-auth-server", True, 1.0),
    ("fxa_email - sent", "fxa-auth-server", True, 0.6),
    ("fxa_rp - engage", "fxa-content-server", True, 0.5),
    ("fxa_pref - view", "fxa-content-server", False, 0.8),
    ("fxa_subscribe - view", "fxa-payments-server", True, 0.2),
]


def _background_events(log: LogWriter, users: list[dict[str, Any]]) -> None:
    """Random daily activity of the background users (deterministic)."""
    rng = log.rng
    types = [item[0] for item in BACKGROUND_EVENTS]
    weights = [item[3] for item in BACKGROUND_EVENTS]
    spec = {item[0]: item for item in BACKGROUND_EVENTS}
    day = START_DATE
    while day <= END_DATE:
        for user in users:
            if user["scenario"] is not None:
                continue
            created = user["created_at"]
            if created.date() > day or (user["deleted_at"] and user["deleted_at"].date() < day):
                continue
            rate = user["activity_rate"]
            opt_out, opt_in = user["metrics_opt_out_at"], user["metrics_opt_in_at"]
            if opt_out and opt_out.date() <= day and not (opt_in and opt_in.date() < day):
                rate *= 0.3  # stray events after opt-out: the staging filter must drop them
            if created.date() == day:
                flow = _hex(rng, 32)
                for minutes, event_type in ((0, "fxa_reg - created"), (2, "fxa_reg - complete")):
                    log.amplitude(
                        created + timedelta(minutes=minutes),
                        event_type,
                        user=user,
                        service=user["services"][0],
                        client_id=SERVICES[user["services"][0]],
                        flow_id=flow,
                        flow_begin=created,
                        entrypoint=rng.choice(["preferences", "menupanel", "firstrun"]),
                        utm={"utm_source": "firefox-browser"} if rng.random() < 0.5 else None,
                    )
            elif rng.random() >= rate:
                continue
            end_of_life = user["deleted_at"] if user["deleted_at"] else ts(day + timedelta(days=1))
            for _ in range(rng.randint(1, 4)):
                when = ts(day) + timedelta(
                    seconds=rng.randint(0, 86399), microseconds=rng.randint(0, 999999)
                )
                if when >= end_of_life or when < created:
                    continue
                event_type = rng.choices(types, weights=weights)[0]
                _, logger, with_service, _ = spec[event_type]
                service = rng.choice(user["services"]) if with_service else None
                client = SERVICES.get(service or "")
                if event_type.startswith("fxa_activity - access_token") and service == "sync":
                    client = rng.choice(
                        [DESKTOP_SYNC_ID, DESKTOP_SYNC_ID, IOS_SYNC_ID, FENNEC_SYNC_ID]
                    )
                flow = _hex(rng, 32) if rng.random() < 0.5 else None
                begin = when - timedelta(seconds=rng.randint(5, 600)) if flow else None
                log.amplitude(
                    when,
                    event_type,
                    user=user,
                    logger=logger,
                    service=service,
                    client_id=client,
                    flow_id=flow,
                    flow_begin=begin,
                    entrypoint=rng.choice([None, "preferences", "menupanel"]) if flow else None,
                    country=user["country"] if rng.random() < 0.9 else rng.choice(COUNTRIES)[0],
                    device=rng.choice(user["device_ids"]) if logger == "fxa-auth-server" else None,
                    nonprod=rng.random() < 0.02,
                )
            if rng.random() < 0.05:
                log.operational(ts(day, rng.randint(0, 23)), user)
            if rng.random() < 0.01 and log.tables["raw_fxa_log_stderr"]:
                # Cloud Logging redelivery: an exact copy of a random earlier line
                log.tables["raw_fxa_log_stderr"].append(
                    dict(rng.choice(log.tables["raw_fxa_log_stderr"]))
                )
        day += timedelta(days=1)
    for user in users:
        if user["scenario"] is None and user["deleted_at"] is not None:
            log.deletion(user["deleted_at"], user)


def account_snapshots(users: list[dict[str, Any]], seed: int) -> list[dict[str, Any]]:
    """Daily snapshots (01:30 UTC) of the accounts table, START_DATE..END_DATE + 1
    (docs/fxa_events.md 1.3)."""
    rng = random.Random(f"demo_fxa.accounts.{seed}")
    static = {
        user["uid"]: {
            "verifierVersion": 1,
            "ecosystemAnonId": f"eyJhbGciOiJFQ0RILUVTIn0.{_hex(rng, 24)}",
            "atLeast18AtReg": rng.random() < 0.5,
            "keysChangedAt": _iso(user["created_at"]),
        }
        for user in users
    }
    rows: list[dict[str, Any]] = []
    day = START_DATE
    while day <= END_DATE + timedelta(days=1):
        taken_at = ts(day) + SNAPSHOT_TIME
        for user in users:
            if user["created_at"] > taken_at:
                continue
            if user["deleted_at"] is not None and user["deleted_at"] <= taken_at:
                continue
            opt_out, opt_in = user["metrics_opt_out_at"], user["metrics_opt_in_at"]
            opted_out = opt_out is not None and opt_out <= taken_at
            if opted_out and opt_in is not None and opt_in <= taken_at:
                opted_out = False
            rows.append(
                {
                    "uid": user["uid"],
                    "email": user["email"],
                    "normalizedEmail": user["email"].lower(),
                    "emailVerified": True,
                    "verifierVersion": static[user["uid"]]["verifierVersion"],
                    "verifierSetAt": _iso(user["created_at"]),
                    "createdAt": _iso(user["created_at"]),
                    "locale": user["locale"],
                    "lockedAt": None,
                    "disabledAt": None,
                    "profileChangedAt": _iso(user["created_at"]),
                    "keysChangedAt": static[user["uid"]]["keysChangedAt"],
                    "ecosystemAnonId": static[user["uid"]]["ecosystemAnonId"],
                    "metricsOptOutAt": _iso(opt_out) if opted_out else None,
                    "atLeast18AtReg": static[user["uid"]]["atLeast18AtReg"],
                    "_snapshot_at": _iso(taken_at),
                }
            )
        day += timedelta(days=1)
    return rows


def generate(scale: int, seed: int) -> dict[str, list[dict[str, Any]]]:
    """All raw FxA log and accounts DB tables of the demo (``scale`` is accepted and unused)."""
    del scale
    users = demo_users(seed)
    by_label = {user["label"]: user for user in users}
    log = LogWriter(seed)
    _scenario_events(log, by_label)
    _background_events(log, users)
    tables: dict[str, list[dict[str, Any]]] = {}
    for name, rows in log.tables.items():
        rows.sort(key=lambda row: (row["receiveTimestamp"], row["insertId"]))
        tables[f"fxa_logs/{name}"] = [
            {key: row.get(key) for key in RAW_LOG_COLUMNS} for row in rows
        ]
    tables["accounts_db/raw_fxa_accounts"] = [
        {key: row.get(key) for key in ACCOUNT_COLUMNS} for row in account_snapshots(users, seed)
    ]
    return tables
