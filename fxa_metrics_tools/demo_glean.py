"""Deterministic demo Glean ``events_stream`` rows (``accounts_backend``, ``accounts_frontend``).

The population is ``demo_fxa.demo_users(seed)`` (same uids, same 90 days, same opt-out, opt-in and
deletion times), so the Glean rollups join the server-log rollups on H(uid). Rows follow
docs/fxa_events.md section 1.2 with nested paths flattened as ``a__b__c`` (the staging macro
``glean_column`` maps them back to ``a.b.c`` on BigQuery).

``generate(scale, seed)`` returns ``{"glean/accounts_backend_events_stream": rows,
"glean/accounts_frontend_events_stream": rows}``. Named scenario users
(docs/fxa_events.md section 5) get fixed
events: S1, S2, S3, S4, S5, S6, S7, S8, S10, S14, S16, R4 and the bad-input user (``BAD``).
Background users are active on a day with their ``activity_rate``; they stop emitting after a
metrics opt-out (4.2), except a few stray events that staging must drop (R1), resume after an
opt-in (R4) and emit nothing after deletion (their earlier events must be erased, 4.6).
"""

from __future__ import annotations

import hashlib
import logging
import random
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from fxa_metrics_tools import demo_fxa

LOG = logging.getLogger(__name__)

BACKEND = "accounts_backend"
FRONTEND = "accounts_frontend"
MAR = date(2024, 3, 1)

COLUMNS: list[str] = [
    "submission_timestamp",
    "document_id",
    "event_id",
    "document_event_number",
    "client_id",
    "sample_id",
    "normalized_channel",
    "client_info__app_channel",
    "client_info__app_display_version",
    "client_info__os",
    "client_info__os_version",
    "client_info__locale",
    "metadata__geo__country",
    "metadata__geo__subdivision1",
    "metadata__geo__city",
    "metadata__isp__name",
    "metadata__user_agent__browser",
    "metadata__user_agent__os",
    "metadata__user_agent__version",
    "normalized_country_code",
    "metrics__string__account_user_id_sha256",
    "metrics__string__account_user_id",
    "metrics__string__relying_party_oauth_client_id",
    "metrics__string__relying_party_service",
    "metrics__string__session_flow_id",
    "metrics__string__session_entrypoint",
    "metrics__string__utm_campaign",
    "metrics__string__utm_content",
    "metrics__string__utm_medium",
    "metrics__string__utm_source",
    "metrics__string__utm_term",
    "event_timestamp",
    "event_category",
    "event_name",
    "event",
    "event_extra",
    "is_bot_generated",
]

SERVICE_CLIENT_IDS: dict[str, str] = demo_fxa.SERVICES | {"123done": demo_fxa.TEST_RELIER_ID}
CITIES = {"US": ("CA", "San Jose"), "DE": ("BE", "Berlin"), "FR": ("IDF", "Paris")}


def sha256_hex(value: str) -> str:
    """The spec's H(): lowercase hex SHA-256 of the UTF-8 bytes."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def _fmt(value: datetime | None) -> str | None:
    return None if value is None else value.strftime("%Y-%m-%d %H:%M:%S.%f")


class Pinger:
    """Builds pings (one document_id, events numbered from 1) with a deterministic rng."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(f"demo_glean.{seed}")
        self.rows: dict[str, list[dict[str, Any]]] = {BACKEND: [], FRONTEND: []}

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def flow_id(self) -> str:
        return f"{self.rng.getrandbits(256):064x}"

    def ping(
        self,
        app: str,
        user: dict[str, Any] | None,
        events: list[tuple[str, datetime]],
        *,
        submitted_at: datetime | None = None,
        service: str | None = None,
        flow_id: str = "",
        channel: str = "production",
        client_id: str | None = None,
        with_user_id: bool = True,
        country: str | None = "profile",
        extra: str | None = None,
    ) -> list[dict[str, Any]]:
        """Append one ping of `events` (event `category.name`, event time) and return its rows."""
        document_id = self.uuid()
        last_event_at = max(at for _, at in events)
        submitted = submitted_at or last_event_at + timedelta(seconds=self.rng.randint(1, 90))
        code = (user or {}).get("country_code") if country == "profile" else country
        client_oauth_id = SERVICE_CLIENT_IDS.get(service or "", "")
        if app == FRONTEND and service == "sync":
            client_oauth_id = ""  # the sync web flow sends the service name, not a client id
        rows = []
        for number, (name, at) in enumerate(events, start=1):
            category, event_name = name.split(".", 1)
            subdivision, city = CITIES.get(code or "", (None, None))
            geo_country = None if name == "access_token.checked" else code
            uid = (user or {}).get("uid") if with_user_id else None
            row = {
                "submission_timestamp": _fmt(submitted),
                "document_id": document_id,
                "event_id": f"{document_id}-{number}",
                "document_event_number": number,
                "client_id": client_id if app == FRONTEND else None,
                "sample_id": self.rng.randint(0, 99),
                "normalized_channel": "release" if channel == "production" else channel,
                "client_info__app_channel": channel,
                "client_info__app_display_version": "none" if app == BACKEND else "1.0",
                "client_info__os": (user or {}).get("os_name", "Windows"),
                "client_info__os_version": (user or {}).get("os_version", "10"),
                "client_info__locale": (user or {}).get("language", "en-US"),
                "metadata__geo__country": geo_country,
                "metadata__geo__subdivision1": subdivision if geo_country else None,
                "metadata__geo__city": city if geo_country else None,
                "metadata__isp__name": "Example ISP" if geo_country else None,
                "metadata__user_agent__browser": (user or {}).get("ua_browser", "Firefox"),
                "metadata__user_agent__os": (user or {}).get("os_name", "Windows"),
                "metadata__user_agent__version": (user or {}).get("ua_version", "123.0"),
                "normalized_country_code": geo_country,
                "metrics__string__account_user_id_sha256": sha256_hex(uid) if uid else None,
                # some backend schema versions also carried the raw uid: staging must drop it
                "metrics__string__account_user_id": uid if app == BACKEND and number == 1 else None,
                "metrics__string__relying_party_oauth_client_id": client_oauth_id,
                "metrics__string__relying_party_service": service or "",
                "metrics__string__session_flow_id": flow_id,
                "metrics__string__session_entrypoint": "preferences" if flow_id else "",
                "metrics__string__utm_campaign": "",
                "metrics__string__utm_content": "",
                "metrics__string__utm_medium": "",
                "metrics__string__utm_source": "",
                "metrics__string__utm_term": "",
                "event_timestamp": _fmt(at),
                "event_category": category,
                "event_name": event_name,
                "event": name,
                "event_extra": extra,
                "is_bot_generated": "false",
            }
            rows.append(row)
        self.rows[app].extend(rows)
        return rows


def ts(day: date, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=UTC)


def _login_flow(
    pinger: Pinger,
    user: dict[str, Any],
    client_id: str,
    service: str,
    start: datetime,
    *,
    two_factor: bool = False,
) -> None:
    """Frontend login.view/submit (+ TOTP) then backend login.success/login.complete/token."""
    flow = pinger.flow_id()
    front = [("login.view", start), ("login.submit", start + timedelta(seconds=20))]
    if two_factor:
        front += [
            ("login.totp_form_view", start + timedelta(seconds=25)),
            ("login.totp_code_submit", start + timedelta(seconds=50)),
        ]
    pinger.ping(
        FRONTEND,
        user,
        front,
        service=service,
        flow_id=flow,
        client_id=client_id,
        with_user_id=False,
    )
    done = start + timedelta(seconds=60)
    pinger.ping(
        BACKEND,
        user,
        [("login.success", done), ("login.complete", done + timedelta(seconds=1))],
        service=service,
        flow_id=flow,
    )
    pinger.ping(
        BACKEND, user, [("access_token.created", done + timedelta(seconds=2))], service=service
    )


def _registration_flow(
    pinger: Pinger, user: dict[str, Any], client_id: str, service: str, start: datetime
) -> None:
    flow = pinger.flow_id()
    pinger.ping(
        FRONTEND,
        user,
        [
            ("email.first_view", start - timedelta(seconds=30)),
            ("reg.view", start),
            ("reg.signup_code_view", start + timedelta(seconds=40)),
        ],
        service=service,
        flow_id=flow,
        client_id=client_id,
        with_user_id=False,
    )
    done = start + timedelta(seconds=90)
    pinger.ping(
        BACKEND,
        user,
        [("reg.acc_created", done - timedelta(seconds=50)), ("reg.complete", done)],
        service=service,
        flow_id=flow,
    )


def _is_metrics_enabled(user: dict[str, Any], at: datetime) -> bool:
    opt_out = user.get("metrics_opt_out_at")
    opt_in = user.get("metrics_opt_in_at")
    if opt_out is None or at < opt_out:
        return True
    return opt_in is not None and at >= opt_in


def _background(pinger: Pinger, users: list[dict[str, Any]]) -> None:
    rng = pinger.rng
    days = (demo_fxa.END_DATE - demo_fxa.START_DATE).days + 1
    for user in users:
        if user["scenario"] is not None:
            continue
        client_id = pinger.uuid()
        created = user["created_at"]
        deleted = user.get("deleted_at")
        if demo_fxa.START_DATE <= created.date() <= demo_fxa.END_DATE:
            _registration_flow(pinger, user, client_id, user["services"][0], created)
        stray_left = 2  # an opted-out browser/server that still emits (R1 must drop these)
        for offset in range(days):
            day = demo_fxa.START_DATE + timedelta(days=offset)
            if day < created.date() or rng.random() >= user["activity_rate"]:
                continue
            at = ts(day, rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59))
            if deleted is not None and at >= deleted:
                break
            if not _is_metrics_enabled(user, at):
                if stray_left == 0:
                    continue
                stray_left -= 1
            service = rng.choice(user["services"])
            channel = "production" if rng.random() > 0.03 else rng.choice(["stage", "development"])
            if rng.random() < 0.15:
                _login_flow(pinger, user, client_id, service, at, two_factor=rng.random() < 0.2)
                continue
            events = [("access_token.checked", at)]
            if rng.random() < 0.4:
                events.append(("access_token.created", at + timedelta(seconds=3)))
            pinger.ping(BACKEND, user, events, service=service, channel=channel)
    # anonymous frontend traffic: email-first views that never reach login (no user id)
    for offset in range(days):
        day = demo_fxa.START_DATE + timedelta(days=offset)
        for _ in range(rng.randint(3, 8)):
            at = ts(day, rng.randint(0, 23), rng.randint(0, 59))
            service = rng.choice(["sync", "monitor", "relay", "demo-relier"])
            pinger.ping(
                FRONTEND,
                None,
                [("email.first_view", at)],
                service=service,
                flow_id=pinger.flow_id(),
                client_id=pinger.uuid(),
                country=rng.choice(["US", "DE", "FR", "BR"]),
            )


def _scenarios(pinger: Pinger, by_label: dict[str, dict[str, Any]]) -> None:
    """Fixed Glean events of the named users of docs/fxa_events.md section 5 (see module
    docstring)."""
    sync = "sync"
    relier = "demo-relier"
    # S1: Glean twin of "active on day 1 and day 28" (bits 2^27 + 1 on 03-28, 2 on 03-29)
    s1 = by_label["s01_active_day1_and_day28"]
    for day in (MAR, date(2024, 3, 28)):
        pinger.ping(BACKEND, s1, [("access_token.created", ts(day, 10))], service=sync)
    # S2: single active day ages out (row on 03-01..03-28, none on 03-29)
    s2 = by_label["s02_single_day_ages_out"]
    pinger.ping(BACKEND, s2, [("login.complete", ts(MAR, 9))], service=sync)
    # S3: daily monitor login 03-01..03-31, opt-out 03-15 12:00: 15:00 stray and later dropped (R1)
    s3 = by_label["s03_opt_out_mid_month"]
    for offset in range(31):
        day = MAR + timedelta(days=offset)
        pinger.ping(BACKEND, s3, [("login.complete", ts(day, 9))], service="monitor")
    pinger.ping(BACKEND, s3, [("login.complete", ts(date(2024, 3, 15), 15))], service="monitor")
    # S4: flow spanning midnight: view 23:50, submit 23:58 on 03-01, complete 00:03 on 03-02
    s4 = by_label["s04_flow_spanning_midnight"]
    flow = pinger.flow_id()
    browser = pinger.uuid()
    pinger.ping(
        FRONTEND,
        s4,
        [("login.view", ts(MAR, 23, 50))],
        submitted_at=ts(MAR, 23, 50, 5),
        service=relier,
        flow_id=flow,
        client_id=browser,
        with_user_id=False,
    )
    pinger.ping(
        FRONTEND,
        s4,
        [("login.submit", ts(MAR, 23, 58))],
        submitted_at=ts(MAR, 23, 58, 3),
        service=relier,
        flow_id=flow,
        client_id=browser,
        with_user_id=False,
    )
    pinger.ping(
        BACKEND,
        s4,
        [("login.complete", ts(date(2024, 3, 2), 0, 3))],
        submitted_at=ts(date(2024, 3, 2), 0, 3, 2),
        service=relier,
        flow_id=flow,
    )
    # S5: frontend event at 03-01 23:59:59 received 03-02 00:00:03 belongs to 03-02
    s5 = by_label["s05_late_arrival"]
    pinger.ping(
        FRONTEND,
        s5,
        [("cached_login.view", ts(MAR, 23, 59, 59))],
        submitted_at=ts(date(2024, 3, 2), 0, 0, 3),
        service=sync,
        client_id=pinger.uuid(),
    )
    # S6: one backend ping delivered twice (same document_id): counted once
    s6 = by_label["s06_duplicate_lines"]
    rows = pinger.ping(BACKEND, s6, [("login.complete", ts(date(2024, 3, 6), 11))], service=sync)
    pinger.rows[BACKEND].extend(dict(row) for row in rows)
    # S7: registration funnel on 03-05 for the demo relier: flows A (complete), B (code view),
    # C (view only), D (backend complete only); E = same as A on the 123done test client
    day = date(2024, 3, 5)
    flows = {name: pinger.flow_id() for name in "ABCDE"}
    for name, steps in (("A", 2), ("B", 2), ("C", 1), ("E", 2)):
        events = [("reg.view", ts(day, 9)), ("reg.signup_code_view", ts(day, 9, 1))][:steps]
        service = "123done" if name == "E" else relier
        pinger.ping(
            FRONTEND,
            None,
            events,
            service=service,
            flow_id=flows[name],
            client_id=pinger.uuid(),
        )
    s7a = by_label["s07_reg_funnel_flow_a"]
    s7d = by_label["s07_reg_funnel_flow_d"]
    for user, name in ((s7a, "A"), (s7d, "D"), (s7a, "E")):
        service = "123done" if name == "E" else relier
        pinger.ping(
            BACKEND, user, [("reg.complete", ts(day, 9, 12))], service=service, flow_id=flows[name]
        )
    # S8: backend login.complete with geo US on 03-10 -> country US, tier-1 TRUE (our fix)
    s8 = by_label["s08_tie_france_germany"]
    pinger.ping(
        BACKEND, s8, [("login.complete", ts(date(2024, 3, 10), 9))], service=sync, country="US"
    )
    # S10: registration on 03-03 (days_registered_bits 1 on 03-03 ... 2^27 on 03-30)
    s10 = by_label["s10_new_registration"]
    _registration_flow(pinger, s10, pinger.uuid(), sync, ts(date(2024, 3, 3), 10))
    # S14: deleted 03-20; activity 03-01..03-19 must be erased from every client-level table
    s14 = by_label["s14_account_deleted"]
    for offset in range(19):
        day = MAR + timedelta(days=offset)
        pinger.ping(BACKEND, s14, [("access_token.checked", ts(day, 8))], service="relay")
    # S16: stage channel login.complete on 03-12: excluded from the production rollups
    s16 = by_label["s16_stage_traffic"]
    pinger.ping(
        BACKEND, s16, [("login.complete", ts(date(2024, 3, 12), 13))], service=sync, channel="stage"
    )
    # R4: opted out 03-05 08:00, opted in 03-20 18:00: events 03-01..03-31 at 20:00, the ones in
    # between are dropped
    r4 = by_label["r4_opt_out_then_opt_in"]
    for offset in range(31):
        day = MAR + timedelta(days=offset)
        pinger.ping(BACKEND, r4, [("access_token.created", ts(day, 20))], service="vpn")
    _bad_input(pinger, by_label["bad_input_lines"])


def _bad_input(pinger: Pinger, bad: dict[str, Any]) -> None:
    """Bad rows with a decided outcome each (quarantine reason in int_glean_events_quarantined)."""
    day = date(2024, 3, 7)
    # unparsable event_extra: event kept, extra nulled (reason invalid_event_extra_json)
    pinger.ping(
        FRONTEND,
        bad,
        [("login.view", ts(day, 10))],
        service="sync",
        client_id=pinger.uuid(),
        extra='{"reason": "invalid_totp"',
    )
    # valid extra for contrast
    pinger.ping(
        FRONTEND,
        bad,
        [("login.view", ts(day, 10, 5))],
        service="sync",
        client_id=pinger.uuid(),
        extra='{"reason":"invalid_totp"}',
    )
    # missing submission_timestamp: no day to put it in (missing_submission_timestamp)
    rows = pinger.ping(BACKEND, bad, [("login.complete", ts(day, 11))], service="sync")
    rows[0]["submission_timestamp"] = None
    # missing event_timestamp: kept, R1 falls back to submission_timestamp
    rows = pinger.ping(BACKEND, bad, [("access_token.created", ts(day, 12))], service="sync")
    rows[0]["event_timestamp"] = None
    # missing event name (missing_event_name)
    rows = pinger.ping(BACKEND, bad, [("login.complete", ts(day, 13))], service="sync")
    rows[0]["event_name"] = None
    # duplicated row, same event_id twice (duplicate_event_id)
    rows = pinger.ping(BACKEND, bad, [("access_token.checked", ts(day, 14))], service="relay")
    pinger.rows[BACKEND].append(dict(rows[0]))
    # NULL and empty user ids on backend activity events (missing_user_id: counted, no user row)
    pinger.ping(BACKEND, None, [("access_token.checked", ts(day, 15))], service="relay")
    rows = pinger.ping(BACKEND, bad, [("access_token.created", ts(day, 16))], service="relay")
    rows[0]["metrics__string__account_user_id_sha256"] = ""
    rows[0]["metrics__string__account_user_id"] = None
    # NULL client id and service: kept as its own NULL-service group (Q10)
    rows = pinger.ping(BACKEND, bad, [("login.complete", ts(day, 17))])
    rows[0]["metrics__string__relying_party_oauth_client_id"] = None
    rows[0]["metrics__string__relying_party_service"] = None


def generate(scale: int, seed: int) -> dict[str, list[dict[str, Any]]]:
    """Glean events_stream rows for the demo population (scale is fixed by demo_users)."""
    if scale != 1:
        LOG.info(
            "demo_glean: the population comes from demo_fxa.demo_users; scale %d ignored", scale
        )
    users = demo_fxa.demo_users(seed)
    by_label = {user["label"]: user for user in users}
    pinger = Pinger(seed)
    _scenarios(pinger, by_label)
    _background(pinger, users)
    tables = {}
    for app in (BACKEND, FRONTEND):
        rows = sorted(
            pinger.rows[app],
            key=lambda row: (row["submission_timestamp"] or "", row["event_id"]),
        )
        tables[f"glean/{app}_events_stream"] = [
            {col: row.get(col) for col in COLUMNS} for row in rows
        ]
    return tables
