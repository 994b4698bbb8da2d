"""Deterministic Apple App Store and Google Play subscription histories
(docs/subscriptions.md section 1, DECISION).

``generate(scale, seed)`` returns ``apple/apple_subscriptions_history`` and
``google/google_subscriptions_history`` (file stems are unique for dbt; the seeds YAML aliases both
to ``subscriptions_history``). One row per version of a store subscription, ``valid_to`` = the
next version's ``valid_from`` (end exclusive), ``9999-12-31 23:59:59`` for the current one.

Named scenarios (``s14_apple_billing_retry``, ``s14_google_user_cancel``, ...) have the fixed
timelines of ``seeds/demo/SCENARIOS.md``; ``50 * scale`` ordinary subscriptions per store are drawn
first (``draw_ordinary``, the only random step) and then expanded. No wall clock: the data is a
sync taken at ``AS_OF``.
"""

from __future__ import annotations

import hashlib
import logging
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from fxa_metrics_tools.demo_common import (
    AS_OF,
    DEMO_START,
    FAR_FUTURE,
    STORE_PRICES,
    add_months,
    boolean,
    mozilla_account_id,
    ts,
)

LOG = logging.getLogger(__name__)

ORDINARY_PER_SCALE = 50

APPLE_COLUMNS = [
    "original_transaction_id", "valid_from", "valid_to", "mozilla_account_id", "product_id",
    "storefront", "currency", "price", "period", "status", "auto_renew_status",
    "is_in_intro_offer_period", "offer_type", "original_purchase_date", "expires_date",
    "revocation_date", "expiration_intent",
]  # fmt: skip
GOOGLE_COLUMNS = [
    "purchase_token", "valid_from", "valid_to", "mozilla_account_id", "sku", "country_code",
    "price_currency_code", "price_amount_micros", "billing_period", "payment_state",
    "auto_renewing", "start_time", "expiry_time", "user_cancellation_time", "cancel_reason",
]  # fmt: skip

APPLE_PRODUCTS = {
    "P1M": "org.mozilla.ios.FirefoxVPN.1_month_subscription",
    "P1Y": "org.mozilla.ios.FirefoxVPN.12_month_subscription",
}
GOOGLE_SKUS = {
    "P1M": "org.mozilla.firefox.vpn.product.1_month_subscription",
    "P1Y": "org.mozilla.firefox.vpn.product.12_month_subscription",
}
# store country (alpha-2) -> (Apple storefront alpha-3, currency, weight)
STORE_COUNTRIES: dict[str, tuple[str, str, int]] = {
    "US": ("USA", "USD", 45),
    "CA": ("CAN", "CAD", 8),
    "DE": ("DEU", "EUR", 15),
    "FR": ("FRA", "EUR", 10),
    "GB": ("GBR", "GBP", 15),
    "CH": ("CHE", "CHF", 7),
}

# Apple status codes (App Store Server API) and expiration intents
ACTIVE, EXPIRED, BILLING_RETRY, GRACE_PERIOD, REVOKED = 1, 2, 3, 4, 5
INTENT_CUSTOMER, INTENT_BILLING = 1, 2
# Google payment states and cancel reasons
PENDING, RECEIVED, FREE_TRIAL = 0, 1, 2
CANCEL_USER, CANCEL_SYSTEM, CANCEL_REPLACED = 0, 1, 2


def _dt(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S")


def _advance(start: datetime, period: str, anchor_day: int) -> datetime:
    return add_months(start, 1 if period == "P1M" else 12, anchor_day)


@dataclass
class StoreSubscription:
    """Versions of one store subscription; ``state`` holds the columns of the next version."""

    key_column: str
    subscription_id: str
    columns: list[str]
    state: dict
    versions: list[dict] = field(default_factory=list)

    def version(self, at: datetime, **changes: object) -> None:
        if self.versions and at <= self.versions[-1]["valid_from"]:
            raise ValueError(f"{self.subscription_id}: version at {at} is not after the previous")
        if at >= AS_OF:
            raise ValueError(f"{self.subscription_id}: version at {at} is after {AS_OF}")
        self.state.update(changes)
        self.versions.append({**self.state, "valid_from": at})

    def rows(self) -> list[dict]:
        rows = []
        for index, version in enumerate(self.versions):
            last = index == len(self.versions) - 1
            row = {column: version.get(column) for column in self.columns}
            row[self.key_column] = self.subscription_id
            row["valid_from"] = ts(version["valid_from"])
            row["valid_to"] = FAR_FUTURE if last else ts(self.versions[index + 1]["valid_from"])
            for column, value in row.items():
                if isinstance(value, datetime):
                    row[column] = ts(value)
                elif isinstance(value, bool):
                    row[column] = boolean(value)
            rows.append(row)
        return rows


# --- Apple -------------------------------------------------------------------------------------
class Apple(StoreSubscription):
    def __init__(self, transaction_id: str, account: str, country: str, period: str,
                 start: datetime) -> None:  # fmt: skip
        storefront, currency, _ = STORE_COUNTRIES[country]
        super().__init__(
            "original_transaction_id",
            transaction_id,
            APPLE_COLUMNS,
            {
                "mozilla_account_id": account,
                "product_id": APPLE_PRODUCTS[period],
                "storefront": storefront,
                "currency": currency,
                "price": STORE_PRICES[(currency, period)],
                "period": period,
                "status": ACTIVE,
                "auto_renew_status": True,
                "is_in_intro_offer_period": False,
                "offer_type": None,
                "original_purchase_date": start,
                "expires_date": None,
                "revocation_date": None,
                "expiration_intent": None,
            },
        )
        self.anchor_day = start.day

    def purchase(self, at: datetime, trial_days: int = 0) -> datetime:
        if trial_days:
            expires = at + timedelta(days=trial_days)
            self.anchor_day = expires.day
            self.version(at, is_in_intro_offer_period=True, offer_type=1, expires_date=expires)
        else:
            expires = _advance(at, self.state["period"], self.anchor_day)
            self.version(at, expires_date=expires)
        return expires

    def renew(self, at: datetime) -> datetime:
        expires = _advance(at, self.state["period"], self.anchor_day)
        self.version(at, status=ACTIVE, is_in_intro_offer_period=False, offer_type=None,
                     expires_date=expires, expiration_intent=None)  # fmt: skip
        return expires

    def renew_until(self, expires: datetime, until: datetime = AS_OF) -> datetime:
        while expires < min(until, AS_OF):
            expires = self.renew(expires)
        return expires

    def change_period(self, period: str) -> None:
        currency = self.state["currency"]
        self.state.update(product_id=APPLE_PRODUCTS[period], period=period,
                          price=STORE_PRICES[(currency, period)])  # fmt: skip


# --- Google ------------------------------------------------------------------------------------
class Google(StoreSubscription):
    def __init__(self, token: str, account: str, country: str, period: str,
                 start: datetime) -> None:  # fmt: skip
        _, currency, _ = STORE_COUNTRIES[country]
        super().__init__(
            "purchase_token",
            token,
            GOOGLE_COLUMNS,
            {
                "mozilla_account_id": account,
                "sku": GOOGLE_SKUS[period],
                "country_code": country,
                "price_currency_code": currency,
                "price_amount_micros": STORE_PRICES[(currency, period)] * 10_000,
                "billing_period": period,
                "payment_state": RECEIVED,
                "auto_renewing": True,
                "start_time": start,
                "expiry_time": None,
                "user_cancellation_time": None,
                "cancel_reason": None,
            },
        )
        self.anchor_day = start.day

    def purchase(self, at: datetime, trial_days: int = 0) -> datetime:
        if trial_days:
            expiry = at + timedelta(days=trial_days)
            self.anchor_day = expiry.day
            self.version(at, payment_state=FREE_TRIAL, expiry_time=expiry)
        else:
            expiry = _advance(at, self.state["billing_period"], self.anchor_day)
            self.version(at, expiry_time=expiry)
        return expiry

    def renew(self, at: datetime) -> datetime:
        expiry = _advance(at, self.state["billing_period"], self.anchor_day)
        self.version(at, payment_state=RECEIVED, expiry_time=expiry)
        return expiry

    def renew_until(self, expiry: datetime, until: datetime = AS_OF) -> datetime:
        while expiry < min(until, AS_OF):
            expiry = self.renew(expiry)
        return expiry


# --- named scenarios ---------------------------------------------------------------------------
def apple_scenarios() -> list[Apple]:
    subs = []

    sub = Apple("s14_apple_billing_retry", mozilla_account_id("s14_apple_billing_retry"), "US",
                "P1M", _dt("2024-09-01 09:00:00"))  # fmt: skip
    expires = sub.renew_until(sub.purchase(_dt("2024-09-01 09:00:00")), _dt("2025-06-01 09:00:00"))
    sub.version(expires, status=BILLING_RETRY, expiration_intent=INTENT_BILLING)
    sub.version(_dt("2025-07-01 09:00:00"), status=EXPIRED, auto_renew_status=False)
    subs.append(sub)

    sub = Apple("s14_apple_user_cancel", mozilla_account_id("s14_apple_user_cancel"), "DE",
                "P1M", _dt("2024-03-10 20:00:00"))  # fmt: skip
    expires = sub.renew_until(sub.purchase(_dt("2024-03-10 20:00:00")), _dt("2025-01-25 12:00:00"))
    sub.version(_dt("2025-01-25 12:00:00"), auto_renew_status=False)
    sub.version(expires, status=EXPIRED, expiration_intent=INTENT_CUSTOMER)
    subs.append(sub)

    sub = Apple("s14_apple_trial", mozilla_account_id("s14_apple_trial"), "GB", "P1Y",
                _dt("2025-03-01 10:00:00"))  # fmt: skip
    sub.renew_until(sub.purchase(_dt("2025-03-01 10:00:00"), trial_days=7))
    subs.append(sub)

    sub = Apple("s14_apple_plan_change", mozilla_account_id("s14_apple_plan_change"), "US",
                "P1M", _dt("2024-06-15 18:00:00"))  # fmt: skip
    expires = sub.renew_until(sub.purchase(_dt("2024-06-15 18:00:00")), _dt("2025-04-15 18:00:00"))
    sub.change_period("P1Y")
    sub.renew_until(expires)
    subs.append(sub)
    return subs


def google_scenarios() -> list[Google]:
    subs = []

    sub = Google("s14_google_user_cancel", mozilla_account_id("s14_google_user_cancel"), "US",
                 "P1M", _dt("2024-05-05 07:00:00"))  # fmt: skip
    expiry = sub.renew_until(sub.purchase(_dt("2024-05-05 07:00:00")), _dt("2024-11-20 13:00:00"))
    cancel = _dt("2024-11-20 13:00:00")
    sub.version(cancel, auto_renewing=False, user_cancellation_time=cancel,
                cancel_reason=CANCEL_USER)  # fmt: skip
    sub.version(expiry)  # expiry reached (SUBSCRIPTION_EXPIRED notification)
    subs.append(sub)

    sub = Google("s14_google_billing_retry", mozilla_account_id("s14_google_billing_retry"), "DE",
                 "P1M", _dt("2024-10-14 08:00:00"))  # fmt: skip
    due = sub.renew_until(sub.purchase(_dt("2024-10-14 08:00:00")), _dt("2025-02-14 08:00:00"))
    grace_end = due + timedelta(days=7)
    sub.version(due, payment_state=PENDING, expiry_time=grace_end)  # grace period
    sub.version(grace_end)  # account hold: expiry not extended
    sub.version(_dt("2025-03-21 08:00:00"), auto_renewing=False, cancel_reason=CANCEL_SYSTEM)
    subs.append(sub)

    sub = Google("s14_google_trial", mozilla_account_id("s14_google_trial"), "FR", "P1Y",
                 _dt("2025-05-01 09:00:00"))  # fmt: skip
    sub.renew_until(sub.purchase(_dt("2025-05-01 09:00:00"), trial_days=7))
    subs.append(sub)

    account = mozilla_account_id("s14_google_plan_change")
    change = _dt("2025-01-10 12:00:00")
    sub = Google("s14_google_plan_change_1", account, "US", "P1M", _dt("2024-08-10 12:00:00"))
    sub.renew_until(sub.purchase(_dt("2024-08-10 12:00:00")), change)
    sub.version(change, auto_renewing=False, expiry_time=change, cancel_reason=CANCEL_REPLACED)
    subs.append(sub)
    sub = Google("s14_google_plan_change_2", account, "US", "P1Y", change)
    sub.renew_until(sub.purchase(change))
    subs.append(sub)
    return subs


# --- ordinary subscriptions --------------------------------------------------------------------
def draw_ordinary(count: int, seed: int, store: str) -> list[dict]:
    """Parameters of ``count`` ordinary store subscriptions (the only random step)."""
    rng = random.Random(f"{seed}-{store}")
    countries = list(STORE_COUNTRIES)
    weights = [STORE_COUNTRIES[code][2] for code in countries]
    span = int((datetime(2025, 12, 20) - DEMO_START).total_seconds())
    draws = []
    for number in range(1, count + 1):
        period = "P1M" if rng.random() < 0.7 else "P1Y"
        draws.append(
            {
                "number": number,
                "country": rng.choices(countries, weights)[0],
                "period": period,
                "start": DEMO_START + timedelta(seconds=rng.randrange(span)),
                "trial_days": 7 if rng.random() < 0.1 else 0,
                "periods": (
                    rng.randint(1, 18) if period == "P1M" and rng.random() < 0.5
                    else (1 if period == "P1Y" and rng.random() < 0.35 else None)
                ),
                "end_mode": rng.choices(["customer", "billing", "revoked"], [70, 22, 8])[0],
                "cancel_fraction": rng.uniform(0.05, 0.95),
                "retry_days": rng.randint(3, 50),
            }
        )  # fmt: skip
    return draws


def expand_apple(draw: dict, seed: int) -> Apple:
    number = draw["number"]
    transaction_id = f"2000000{number:09d}"
    sub = Apple(transaction_id, mozilla_account_id(f"{seed}-apple-{number}"), draw["country"],
                draw["period"], draw["start"])  # fmt: skip
    expires = sub.purchase(draw["start"], draw["trial_days"])
    paid = 0 if draw["trial_days"] else 1
    while expires < AS_OF:
        if draw["periods"] is not None and paid >= draw["periods"]:
            previous = sub.versions[-1]["valid_from"]
            if draw["end_mode"] == "revoked":
                # refunded by Apple: access revoked mid-period
                at = (previous + (expires - previous) * draw["cancel_fraction"]).replace(
                    microsecond=0
                )
                sub.version(at, status=REVOKED, auto_renew_status=False, revocation_date=at)
            elif draw["end_mode"] == "customer":
                off = previous + (expires - previous) * draw["cancel_fraction"]
                sub.version(off.replace(microsecond=0), auto_renew_status=False)
                sub.version(expires, status=EXPIRED, expiration_intent=INTENT_CUSTOMER)
            else:
                sub.version(expires, status=BILLING_RETRY, expiration_intent=INTENT_BILLING)
                gave_up = expires + timedelta(days=draw["retry_days"])
                if gave_up < AS_OF:
                    sub.version(gave_up, status=EXPIRED, auto_renew_status=False)
            break
        expires = sub.renew(expires)
        paid += 1
    return sub


def expand_google(draw: dict, seed: int) -> Google:
    number = draw["number"]
    token = "gpt_" + hashlib.md5(f"{seed}-google-{number}".encode()).hexdigest()[:24]
    sub = Google(token, mozilla_account_id(f"{seed}-google-{number}"), draw["country"],
                 draw["period"], draw["start"])  # fmt: skip
    expiry = sub.purchase(draw["start"], draw["trial_days"])
    paid = 0 if draw["trial_days"] else 1
    while expiry < AS_OF:
        if draw["periods"] is not None and paid >= draw["periods"]:
            if draw["end_mode"] in ("customer", "revoked"):
                previous = sub.versions[-1]["valid_from"]
                off = (previous + (expiry - previous) * draw["cancel_fraction"]).replace(
                    microsecond=0
                )
                sub.version(off, auto_renewing=False, user_cancellation_time=off,
                            cancel_reason=CANCEL_USER)  # fmt: skip
                sub.version(expiry)
            else:
                grace_end = expiry + timedelta(days=7)
                sub.version(expiry, payment_state=PENDING, expiry_time=grace_end)
                if grace_end < AS_OF:
                    sub.version(grace_end)
                    gave_up = grace_end + timedelta(days=30)
                    if gave_up < AS_OF:
                        sub.version(gave_up, auto_renewing=False, cancel_reason=CANCEL_SYSTEM)
            break
        expiry = sub.renew(expiry)
        paid += 1
    return sub


def generate(scale: int, seed: int) -> dict[str, list[dict]]:
    """Apple and Google subscription histories: named scenarios and ``50 * scale`` ordinary."""
    count = ORDINARY_PER_SCALE * scale
    apple = apple_scenarios() + [
        expand_apple(draw, seed) for draw in draw_ordinary(count, seed, "apple")
    ]
    google = google_scenarios() + [
        expand_google(draw, seed) for draw in draw_ordinary(count, seed, "google")
    ]
    apple_rows = [row for sub in apple for row in sub.rows()]
    google_rows = [row for sub in google for row in sub.rows()]
    apple_rows.sort(key=lambda row: (row["original_transaction_id"], row["valid_from"]))
    google_rows.sort(key=lambda row: (row["purchase_token"], row["valid_from"]))
    return {
        "apple/apple_subscriptions_history": apple_rows,
        "google/google_subscriptions_history": google_rows,
    }
