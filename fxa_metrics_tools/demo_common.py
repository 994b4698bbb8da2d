"""Catalog and helpers shared by the SubPlat demo data (Stripe, Apple, Google); reference seeds.

The catalog (services, Stripe products and plans, store products, countries, currencies, VAT and
exchange rates) is fixed data: it does not depend on the seed or the scale, so the reference seeds
it produces (``reference/services``, ``service_plans``, ``vat_rates``, ``exchange_rates``) are the
same for every run. ``reference/country_codes`` is a static seed (ISO 3166-1) kept in git.
"""

from __future__ import annotations

import calendar
import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta

# The demo data is a sync taken at this instant: nothing happens at or after it.
DEMO_START = datetime(2024, 1, 1)
AS_OF = datetime(2026, 1, 1)
FAR_FUTURE = "9999-12-31 23:59:59"
OPEN_DATE = "9999-12-31"

# The key of each demo table (`<folder>/<table>` under seeds/), `id` when not listed. The demo
# CSVs are fixed files: tests/generator checks these keys on them once per commit, so the seeds
# carry no key test of their own (fxa_metrics_tools.test_rules counts the rule as checked there).
# Stripe's subscription_history holds one intentional duplicate (seeds/demo/SCENARIOS.md).
DEMO_TABLE_KEYS: dict[str, tuple[str, ...]] = {
    "stripe/subscription_history": ("id", "_fivetran_start"),
    "stripe/invoice_line_item": ("invoice_id", "unique_id"),
    "stripe/payment_method_card": ("payment_method_id",),
    "apple/apple_subscriptions_history": ("original_transaction_id", "valid_from"),
    "google/google_subscriptions_history": ("purchase_token", "valid_from"),
    "reference/services": ("id",),
    "reference/service_plans": ("provider", "provider_plan_id", "service_id"),
    "reference/vat_rates": ("country_code", "valid_from"),
    "reference/exchange_rates": ("base_currency", "valid_from"),
}
INTENTIONAL_DUPLICATE_KEYS = {
    "stripe/subscription_history": [("sub_bad_duplicate_version", "2024-03-10 10:00:00")],
}


def demo_table_key(table: str) -> tuple[str, ...]:
    """The key columns of a demo table (`<folder>/<table>`)."""
    return DEMO_TABLE_KEYS.get(table, ("id",))


def ts(value: datetime | None) -> str | None:
    """Format a UTC timestamp the way the seeds store it (second precision)."""
    return None if value is None else value.isoformat(sep=" ", timespec="seconds")


def boolean(value: bool | None) -> str | None:
    """Booleans as lower-case literals that every loader reads."""
    return None if value is None else ("true" if value else "false")


def add_months(value: datetime, months: int, anchor_day: int | None = None) -> datetime:
    """Add calendar months keeping the billing anchor day (clamped to the month's last day)."""
    month_index = value.month - 1 + months
    year = value.year + month_index // 12
    month = month_index % 12 + 1
    day = min(anchor_day or value.day, calendar.monthrange(year, month)[1])
    return value.replace(year=year, month=month, day=day)


def add_interval(value: datetime, interval: str, count: int, anchor_day: int) -> datetime:
    """The end of one billing period of ``count`` ``interval``s starting at ``value``."""
    if interval == "month":
        return add_months(value, count, anchor_day)
    if interval == "year":
        return add_months(value, 12 * count, anchor_day)
    if interval == "week":
        return value + timedelta(weeks=count)
    if interval == "day":
        return value + timedelta(days=count)
    raise ValueError(f"unknown plan interval {interval!r}")


def mozilla_account_id(key: str) -> str:
    """A stable 32-hex Mozilla account id derived from a key (md5 hex of the key)."""
    return hashlib.md5(key.encode()).hexdigest()


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


# --- services and plans --------------------------------------------------------------------------

SERVICES: list[tuple[str, str]] = [
    ("mdnplus", "MDN Plus"),
    ("monitor", "Mozilla Monitor"),
    ("relay", "Firefox Relay"),
    ("vpn", "Mozilla VPN"),
]


@dataclass(frozen=True)
class Product:
    id: str
    name: str
    active: bool = True


@dataclass(frozen=True)
class Plan:
    id: str
    product_id: str
    amount: int  # minor units
    currency: str  # lower case
    interval: str
    interval_count: int
    nickname: str
    grants: tuple[tuple[str, str], ...]  # (service id, tier)
    active: bool = True


PRODUCTS: list[Product] = [
    Product("prod_vpn", "Mozilla VPN"),
    Product("prod_relay", "Relay Premium"),
    Product("prod_relay_phone", "Relay Premium: Phone Numbers"),
    Product("prod_monitor", "Mozilla Monitor Plus"),
    Product("prod_mdnplus", "MDN Plus"),
    Product("prod_bundle_vpn_relay", "Relay & VPN bundle"),
    Product("prod_vpn_legacy", "Mozilla VPN (legacy plans)", active=False),
]

_VPN = (("vpn", "standard"),)
_RELAY_EMAIL = (("relay", "email"),)
_RELAY_PHONE = (("relay", "phone"),)
_MONITOR = (("monitor", "plus"),)
_MDN5 = (("mdnplus", "plus5"),)
_MDN10 = (("mdnplus", "plus10"),)
_BUNDLE = (("relay", "phone"), ("vpn", "standard"))


def _plans() -> list[Plan]:
    plans: list[Plan] = []
    vpn_prices = {
        "usd": (999, 5988),
        "eur": (999, 5988),
        "gbp": (899, 5388),
        "chf": (1099, 6588),
        "cad": (1299, 7788),
    }
    for currency, (monthly, yearly) in vpn_prices.items():
        plans.append(
            Plan(
                f"plan_vpn_monthly_{currency}",
                "prod_vpn",
                monthly,
                currency,
                "month",
                1,
                f"Mozilla VPN monthly ({currency.upper()})",
                _VPN,
            )
        )
        plans.append(
            Plan(
                f"plan_vpn_yearly_{currency}",
                "prod_vpn",
                yearly,
                currency,
                "year",
                1,
                f"Mozilla VPN yearly ({currency.upper()})",
                _VPN,
            )
        )
    plans.append(
        Plan(
            "plan_vpn_6months_usd",
            "prod_vpn_legacy",
            4794,
            "usd",
            "month",
            6,
            "Mozilla VPN 6 months (USD, legacy)",
            _VPN,
            active=False,
        )
    )
    for currency in ("usd", "eur"):
        plans.append(
            Plan(
                f"plan_relay_monthly_{currency}",
                "prod_relay",
                199,
                currency,
                "month",
                1,
                f"Relay Premium monthly ({currency.upper()})",
                _RELAY_EMAIL,
            )
        )
        plans.append(
            Plan(
                f"plan_relay_yearly_{currency}",
                "prod_relay",
                1188,
                currency,
                "year",
                1,
                f"Relay Premium yearly ({currency.upper()})",
                _RELAY_EMAIL,
            )
        )
    plans += [
        Plan(
            "plan_relay_phone_monthly_usd",
            "prod_relay_phone",
            499,
            "usd",
            "month",
            1,
            "Relay Premium phone monthly (USD)",
            _RELAY_PHONE,
        ),
        Plan(
            "plan_relay_phone_yearly_usd",
            "prod_relay_phone",
            4788,
            "usd",
            "year",
            1,
            "Relay Premium phone yearly (USD)",
            _RELAY_PHONE,
        ),
        Plan(
            "plan_monitor_monthly_usd",
            "prod_monitor",
            899,
            "usd",
            "month",
            1,
            "Monitor Plus monthly (USD)",
            _MONITOR,
        ),
        Plan(
            "plan_monitor_yearly_usd",
            "prod_monitor",
            8988,
            "usd",
            "year",
            1,
            "Monitor Plus yearly (USD)",
            _MONITOR,
        ),
    ]
    for currency in ("usd", "eur"):
        plans += [
            Plan(
                f"plan_mdnplus5_monthly_{currency}",
                "prod_mdnplus",
                500,
                currency,
                "month",
                1,
                f"MDN Plus 5 monthly ({currency.upper()})",
                _MDN5,
            ),
            Plan(
                f"plan_mdnplus5_yearly_{currency}",
                "prod_mdnplus",
                5000,
                currency,
                "year",
                1,
                f"MDN Plus 5 yearly ({currency.upper()})",
                _MDN5,
            ),
        ]
    plans += [
        Plan(
            "plan_mdnplus10_monthly_usd",
            "prod_mdnplus",
            1000,
            "usd",
            "month",
            1,
            "MDN Plus 10 monthly (USD)",
            _MDN10,
        ),
        Plan(
            "plan_mdnplus10_yearly_usd",
            "prod_mdnplus",
            10000,
            "usd",
            "year",
            1,
            "MDN Plus 10 yearly (USD)",
            _MDN10,
        ),
        Plan(
            "plan_bundle_vpn_relay_yearly_usd",
            "prod_bundle_vpn_relay",
            8388,
            "usd",
            "year",
            1,
            "Relay & VPN bundle yearly (USD)",
            _BUNDLE,
        ),
        Plan(
            "plan_bundle_vpn_relay_yearly_eur",
            "prod_bundle_vpn_relay",
            8388,
            "eur",
            "year",
            1,
            "Relay & VPN bundle yearly (EUR)",
            _BUNDLE,
        ),
        # bad input: the plan exists, its product does not (scenario sub_bad_missing_product)
        Plan(
            "plan_bad_missing_product",
            "prod_bad_missing",
            999,
            "usd",
            "month",
            1,
            "VPN monthly whose product row is missing (bad-input demo)",
            _VPN,
        ),
    ]
    return plans


PLANS: dict[str, Plan] = {plan.id: plan for plan in _plans()}
# bad input: referenced by a subscription item, absent from the plan table
MISSING_PLAN_ID = "plan_bad_missing"


@dataclass(frozen=True)
class StoreProduct:
    provider: str  # 'Apple' | 'Google'
    id: str  # Apple product id / Google SKU
    period: str  # ISO 8601 duration P1M / P1Y
    grants: tuple[tuple[str, str], ...]


STORE_PRODUCTS: list[StoreProduct] = [
    StoreProduct("Apple", "org.mozilla.ios.FirefoxVPN.1_month_subscription", "P1M", _VPN),
    StoreProduct("Apple", "org.mozilla.ios.FirefoxVPN.12_month_subscription", "P1Y", _VPN),
    StoreProduct("Google", "org.mozilla.firefox.vpn.product.1_month_subscription", "P1M", _VPN),
    StoreProduct("Google", "org.mozilla.firefox.vpn.product.12_month_subscription", "P1Y", _VPN),
]

# store price per (currency, period), minor units
STORE_PRICES: dict[tuple[str, str], int] = {
    ("USD", "P1M"): 999,
    ("USD", "P1Y"): 5999,
    ("EUR", "P1M"): 999,
    ("EUR", "P1Y"): 5999,
    ("GBP", "P1M"): 899,
    ("GBP", "P1Y"): 5499,
    ("CHF", "P1M"): 1100,
    ("CHF", "P1Y"): 6600,
    ("CAD", "P1M"): 1399,
    ("CAD", "P1Y"): 8299,
}

# --- countries ---------------------------------------------------------------------------------

# demo countries: ISO alpha-2 -> (alpha-3, billing currency, weight among ordinary customers)
COUNTRIES: dict[str, tuple[str, str, int]] = {
    "US": ("USA", "usd", 35),
    "CA": ("CAN", "cad", 6),
    "DE": ("DEU", "eur", 12),
    "FR": ("FRA", "eur", 8),
    "IT": ("ITA", "eur", 3),
    "ES": ("ESP", "eur", 3),
    "NL": ("NLD", "eur", 3),
    "AT": ("AUT", "eur", 2),
    "BE": ("BEL", "eur", 2),
    "FI": ("FIN", "eur", 2),
    "IE": ("IRL", "eur", 2),
    "SE": ("SWE", "eur", 2),
    "GB": ("GBR", "gbp", 10),
    "CH": ("CHE", "chf", 4),
}

# VAT (standard rate as a fraction) by country: list of (rate, valid_from, valid_to exclusive)
VAT_RATES: dict[str, list[tuple[str, str, str]]] = {
    "US": [("0", "2021-01-01", OPEN_DATE)],
    "CA": [("0.05", "2021-01-01", OPEN_DATE)],
    "DE": [("0.19", "2021-01-01", OPEN_DATE)],
    "FR": [("0.20", "2021-01-01", OPEN_DATE)],
    "IT": [("0.22", "2021-01-01", OPEN_DATE)],
    "ES": [("0.21", "2021-01-01", OPEN_DATE)],
    "NL": [("0.21", "2021-01-01", OPEN_DATE)],
    "AT": [("0.20", "2021-01-01", OPEN_DATE)],
    "BE": [("0.21", "2021-01-01", OPEN_DATE)],
    # Finland raised its standard rate from 24 % to 25.5 % on 2024-09-01 (inside the demo period)
    "FI": [("0.24", "2021-01-01", "2024-09-01"), ("0.255", "2024-09-01", OPEN_DATE)],
    "IE": [("0.23", "2021-03-01", OPEN_DATE)],
    "SE": [("0.25", "2021-01-01", OPEN_DATE)],
    "GB": [("0.20", "2021-01-01", OPEN_DATE)],
    # Switzerland: 7.7 % until 2023-12-31, 8.1 % from 2024-01-01
    "CH": [("0.077", "2021-01-01", "2024-01-01"), ("0.081", "2024-01-01", OPEN_DATE)],
}

# Approximate monthly average USD value of one unit of each currency (illustrative demo values),
# for the 24 months of 2024 and 2025.
USD_RATES: dict[str, list[str]] = {
    "EUR": [
        "1.0905",
        "1.0795",
        "1.0872",
        "1.0725",
        "1.0812",
        "1.0759",
        "1.0844",
        "1.1012",
        "1.1106",
        "1.0897",
        "1.0630",
        "1.0479",
        "1.0354",
        "1.0413",
        "1.0807",
        "1.1229",
        "1.1276",
        "1.1527",
        "1.1679",
        "1.1651",
        "1.1732",
        "1.1631",
        "1.1560",
        "1.1705",
    ],
    "GBP": [
        "1.2706",
        "1.2630",
        "1.2712",
        "1.2520",
        "1.2642",
        "1.2710",
        "1.2858",
        "1.2943",
        "1.3222",
        "1.3049",
        "1.2748",
        "1.2661",
        "1.2368",
        "1.2531",
        "1.2914",
        "1.3141",
        "1.3362",
        "1.3551",
        "1.3497",
        "1.3421",
        "1.3502",
        "1.3347",
        "1.3151",
        "1.3302",
    ],
    "CHF": [
        "1.1630",
        "1.1410",
        "1.1243",
        "1.0972",
        "1.0991",
        "1.1183",
        "1.1222",
        "1.1601",
        "1.1811",
        "1.1632",
        "1.1361",
        "1.1219",
        "1.1012",
        "1.1073",
        "1.1334",
        "1.1968",
        "1.2094",
        "1.2262",
        "1.2513",
        "1.2403",
        "1.2551",
        "1.2499",
        "1.2447",
        "1.2501",
    ],
    "CAD": [
        "0.7441",
        "0.7408",
        "0.7381",
        "0.7312",
        "0.7323",
        "0.7300",
        "0.7302",
        "0.7348",
        "0.7384",
        "0.7269",
        "0.7141",
        "0.7039",
        "0.6951",
        "0.6993",
        "0.6972",
        "0.7158",
        "0.7213",
        "0.7312",
        "0.7309",
        "0.7251",
        "0.7221",
        "0.7142",
        "0.7113",
        "0.7204",
    ],
}


def reference_tables() -> dict[str, list[dict]]:
    """The generated reference seeds (same for every seed and scale)."""
    services = [{"id": service_id, "name": name} for service_id, name in SERVICES]
    service_plans = [
        {"service_id": service_id, "tier": tier, "provider": "Stripe", "provider_plan_id": plan.id}
        for plan in PLANS.values()
        for service_id, tier in plan.grants
    ]
    service_plans += [
        {
            "service_id": service_id,
            "tier": tier,
            "provider": product.provider,
            "provider_plan_id": product.id,
        }
        for product in STORE_PRODUCTS
        for service_id, tier in product.grants
    ]
    service_plans.sort(
        key=lambda row: (row["provider"], row["provider_plan_id"], row["service_id"])
    )
    vat_rates = [
        {"country_code": code, "vat_rate": rate, "valid_from": start, "valid_to": end}
        for code, periods in sorted(VAT_RATES.items())
        for rate, start, end in periods
    ]
    exchange_rates = []
    for currency, rates in sorted(USD_RATES.items()):
        for index, rate in enumerate(rates):
            start = date(2024 + index // 12, index % 12 + 1, 1)
            last = index == len(rates) - 1
            end = (
                OPEN_DATE if last else str(date(2024 + (index + 1) // 12, (index + 1) % 12 + 1, 1))
            )
            exchange_rates.append(
                {
                    "base_currency": currency,
                    "quote_currency": "USD",
                    "exchange_rate": rate,
                    "valid_from": str(start),
                    "valid_to": end,
                }
            )
    return {
        "reference/services": services,
        "reference/service_plans": service_plans,
        "reference/vat_rates": vat_rates,
        "reference/exchange_rates": exchange_rates,
    }


def generate(scale: int, seed: int) -> dict[str, list[dict]]:
    """Generator entry point (``fxa_metrics_tools.generate``): the SubPlat reference seeds."""
    del scale, seed  # the reference data is fixed
    return reference_tables()
