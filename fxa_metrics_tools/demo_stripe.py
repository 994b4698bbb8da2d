"""Deterministic Stripe demo data shaped like a Fivetran Stripe sync
(docs/subscriptions.md section 1).

``generate(scale, seed)`` returns one list of rows per raw table, keyed ``"stripe/<table>"``.
It writes three kinds of subscriptions (see ``seeds/demo/SCENARIOS.md``):

* the named scenarios of the spec's section 9 (``sub_s01_payment_failure``, ...), fixed timelines;
* the named bad-input cases (``sub_bad_duplicate_version``, ...);
* ``300 * scale`` ordinary subscriptions. Their parameters are drawn first (``draw_ordinary``,
  the only place that uses the random generator, one flat record per subscription) and then
  expanded into rows (``expand_ordinary``), so the draw could later be vectorised.

Nothing reads the wall clock: the data is a sync taken at ``AS_OF`` (2026-01-01 00:00:00 UTC).
"""

from __future__ import annotations

import json
import logging
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from fxa_metrics_tools.demo_common import (
    AS_OF,
    COUNTRIES,
    DEMO_START,
    FAR_FUTURE,
    MISSING_PLAN_ID,
    PLANS,
    PRODUCTS,
    Plan,
    add_interval,
    boolean,
    mozilla_account_id,
    sha256_hex,
    ts,
)

LOG = logging.getLogger(__name__)

ORDINARY_PER_SCALE = 300
# Stripe added cancellation_details in our sync from this date; earlier cancellations lack it
CANCELLATION_DETAILS_SINCE = datetime(2024, 5, 17)

# The input contract (docs/subscriptions.md section 1): exactly these columns, in this order.
COLUMNS: dict[str, list[str]] = {
    "subscription_history": [
        "id", "_fivetran_start", "_fivetran_end", "_fivetran_active", "customer_id", "status",
        "created", "start_date", "current_period_start", "current_period_end",
        "cancel_at_period_end", "canceled_at", "ended_at", "trial_start", "trial_end",
        "collection_method", "latest_invoice_id", "default_payment_method_id", "metadata",
        "cancellation_details_reason",
    ],
    "subscription_item": ["id", "subscription_id", "plan_id", "created", "quantity"],
    "customer": [
        "id", "created", "is_deleted", "metadata", "address_country", "shipping_address_country",
        "invoice_settings_default_payment_method",
    ],
    "plan": [
        "id", "product_id", "amount", "currency", "interval", "interval_count", "active",
        "nickname",
    ],
    "product": ["id", "name", "active"],
    "invoice": [
        "id", "customer_id", "subscription_id", "charge_id", "status", "created",
        "status_transitions_finalized_at", "period_start", "period_end", "metadata",
    ],
    "invoice_line_item": [
        "invoice_id", "unique_id", "id", "subscription_id", "subscription_item_id", "plan_id",
        "type", "period_start", "period_end", "amount", "currency",
    ],
    "charge": [
        "id", "invoice_id", "customer_id", "card_id", "status", "created", "amount",
        "amount_refunded", "fraud_details_user_report", "fraud_details_stripe_report",
    ],
    "card": ["id", "country", "wallet_type"],
    "refund": ["id", "charge_id", "status", "reason", "created", "amount"],
    "coupon": [
        "id", "name", "amount_off", "percent_off", "currency", "duration", "duration_in_months",
    ],
    "promotion_code": ["id", "code", "coupon_id"],
    "discount": [
        "id", "type", "subscription_id", "customer_id", "invoice_id", "coupon_id",
        "promotion_code", "start", "end",
    ],
    "payment_method": ["id", "customer_id", "type"],
    "payment_method_card": ["payment_method_id", "brand", "wallet_type"],
}  # fmt: skip


@dataclass(frozen=True)
class Coupon:
    id: str
    name: str
    duration: str  # once | repeating | forever
    percent_off: float | None = None
    amount_off: int | None = None
    currency: str | None = None
    duration_in_months: int | None = None
    promotion_code_id: str | None = None
    promotion_code: str | None = None


COUPONS: dict[str, Coupon] = {
    coupon.id: coupon
    for coupon in [
        Coupon("coupon_forever_20pct", "Forever 20% off", "forever", percent_off=20,
               promotion_code_id="promo_forever20", promotion_code="FOREVER20"),
        Coupon("coupon_3_months_50pct", "3 months 50% off", "repeating", percent_off=50,
               duration_in_months=3, promotion_code_id="promo_half3", promotion_code="HALF3"),
        Coupon("coupon_welcome_once_25pct", "Welcome 25% off first payment", "once",
               percent_off=25, promotion_code_id="promo_welcome25", promotion_code="WELCOME25"),
        Coupon("coupon_loyalty_forever_10pct", "Loyalty 10% off", "forever", percent_off=10),
        Coupon("coupon_vpn_launch_2_usd", "VPN launch 2 USD off", "once", amount_off=200,
               currency="usd"),
    ]
}  # fmt: skip


def _discounted(amount: int, coupon: Coupon | None) -> int:
    """Amount due after a coupon (minor units, half up)."""
    if coupon is None:
        return amount
    if coupon.amount_off is not None:
        return max(amount - coupon.amount_off, 0)
    return amount - int(amount * (coupon.percent_off or 0) / 100 + 0.5)


class StripeData:
    """Accumulates the rows of every raw table, with per-table column order from ``COLUMNS``."""

    def __init__(self) -> None:
        self.rows: dict[str, list[dict]] = {table: [] for table in COLUMNS}
        # rows by id for the tables whose rows are updated after insertion
        self.by_id: dict[str, dict[str, dict]] = {"charge": {}, "invoice": {}}

    def add(self, table: str, **values: object) -> dict:
        unknown = set(values) - set(COLUMNS[table])
        if unknown:
            raise KeyError(f"stripe.{table}: columns {sorted(unknown)} are not in the contract")
        row = {column: values.get(column) for column in COLUMNS[table]}
        self.rows[table].append(row)
        if table in self.by_id:
            self.by_id[table][row["id"]] = row
        return row

    def add_customer(
        self,
        customer_id: str,
        created: datetime,
        country: str | None,
        *,
        shipping_country: str | None = None,
        account_key: str | None = None,
        payment: str = "card",
        wallet: str | None = None,
        card_country: str | None = None,
        brand: str = "visa",
        is_deleted: bool = False,
    ) -> Customer:
        """A customer with a payment method (card / paypal / link / cashapp) and its card."""
        userid = mozilla_account_id(account_key or customer_id)
        suffix = customer_id.removeprefix("cus_")
        pm_id = f"pm_{suffix}"
        card_id = None
        if payment in ("card", "link"):
            card_id = f"card_{suffix}"
            self.add("card", id=card_id, country=card_country or country, wallet_type=wallet)
        self.add("payment_method", id=pm_id, customer_id=customer_id, type=payment)
        if payment == "card":
            self.add("payment_method_card", payment_method_id=pm_id, brand=brand,
                     wallet_type=wallet)  # fmt: skip
        self.add(
            "customer",
            id=customer_id,
            created=ts(created),
            is_deleted=boolean(is_deleted),
            metadata=json.dumps({"userid": userid, "userid_sha256": sha256_hex(userid)}),
            address_country=country,
            shipping_address_country=shipping_country,
            invoice_settings_default_payment_method=None if payment == "paypal" else pm_id,
        )
        return Customer(customer_id, pm_id, card_id, payment == "paypal")

    def as_tables(self) -> dict[str, list[dict]]:
        return {f"stripe/{table}": rows for table, rows in self.rows.items()}


@dataclass
class Customer:
    id: str
    payment_method_id: str
    card_id: str | None
    is_paypal: bool


@dataclass
class Subscription:
    """Builds one subscription's versions, items, invoices, line items, charges and discounts."""

    data: StripeData
    id: str
    customer: Customer
    created: datetime
    plans: list[Plan]
    prefix: str  # id suffix for invoices/charges/items, e.g. 's01_payment_failure' or '0001'
    metadata: dict | str = field(default_factory=dict)
    price_override: tuple[str, int] | None = None  # (currency, amount) multi-currency metadata
    coupon: Coupon | None = None
    coupon_on_customer: bool = False  # a CUSTOMER discount instead of a SUBSCRIPTION one
    item_suffixes: list[str] | None = None
    state: dict = field(init=False)
    versions: list[dict] = field(init=False, default_factory=list)
    items: list[tuple[str, Plan]] = field(init=False, default_factory=list)
    invoice_count: int = field(init=False, default=0)
    charge_count: int = field(init=False, default=0)
    anchor_day: int = field(init=False)
    discount_end: datetime | None = field(init=False, default=None)
    item_sets: int = field(init=False, default=0)
    item_count: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        self.anchor_day = self.created.day
        metadata = self.metadata
        if self.price_override is not None:
            currency, amount = self.price_override
            metadata = {**metadata, "currency": currency, "amount": str(amount)}
        self.state = {
            "status": "active",
            "created": self.created,
            "start_date": self.created,
            "current_period_start": None,
            "current_period_end": None,
            "cancel_at_period_end": False,
            "canceled_at": None,
            "ended_at": None,
            "trial_start": None,
            "trial_end": None,
            "collection_method": (
                "send_invoice" if self.customer.is_paypal else "charge_automatically"
            ),
            "latest_invoice_id": None,
            "default_payment_method_id": (
                None if self.customer.is_paypal else self.customer.payment_method_id
            ),
            "metadata": metadata if isinstance(metadata, str) else json.dumps(metadata),
            "cancellation_details_reason": None,
        }
        self.set_items(self.created, self.plans, self.item_suffixes)
        if self.coupon is not None:
            self._subscription_discount(self.created)

    # --- primitives -----------------------------------------------------------------------------
    def set_items(self, at: datetime, plans: list[Plan], suffixes: list[str] | None = None) -> None:
        """Replace the item set (a plan change): new item ids, all created at ``at``."""
        self.item_sets += 1
        first_number = self.item_count + 1
        new_items = []
        for index, plan in enumerate(plans):
            if suffixes:
                item_id = f"si_{self.prefix}_{suffixes[index]}"
            else:
                item_id = f"si_{self.prefix}_{first_number + index}"
            self.item_count += 1
            self.data.add("subscription_item", id=item_id, subscription_id=self.id,
                          plan_id=plan.id, created=ts(at), quantity=1)  # fmt: skip
            new_items.append((item_id, plan))
        self.items = new_items

    def version(self, at: datetime, **changes: object) -> None:
        """Record a new version at ``at`` with the given state changes."""
        if self.versions and at <= self.versions[-1]["at"]:
            raise ValueError(f"{self.id}: version at {at} not after {self.versions[-1]['at']}")
        if at >= AS_OF:
            raise ValueError(f"{self.id}: version at {at} is not before the as-of date {AS_OF}")
        self.state.update(changes)
        self.versions.append({"at": at, **self.state})

    def unit_price(self, plan: Plan) -> tuple[str, int]:
        if self.price_override is not None:
            return self.price_override
        return plan.currency, plan.amount

    def period_end(self, start: datetime) -> datetime:
        plan = self.items[0][1]
        return add_interval(start, plan.interval, plan.interval_count, self.anchor_day)

    def bill(
        self,
        at: datetime,
        period_start: datetime,
        period_end: datetime,
        *,
        charges: tuple[tuple[timedelta, str], ...] = ((timedelta(0), "succeeded"),),
        status: str = "paid",
        zero: bool = False,
        extra_lines: tuple[tuple[str, Plan, int, datetime], ...] = (),
        metadata: dict | None = None,
        discounted: bool = False,
    ) -> str:
        """An invoice for one period (subscription lines + extra lines) and its charges."""
        self.invoice_count += 1
        invoice_id = f"in_{self.prefix}_{self.invoice_count:02d}"
        total = 0
        currency = None
        line_number = 0
        for item_id, plan in self.items:
            currency, amount = self.unit_price(plan)
            amount = 0 if zero else amount
            line_number += 1
            self.data.add(
                "invoice_line_item",
                invoice_id=invoice_id,
                unique_id=f"il_{invoice_id}_{line_number}",
                id=f"sli_{invoice_id}_{line_number}",
                subscription_id=self.id,
                subscription_item_id=item_id,
                plan_id=plan.id,
                type="subscription",
                period_start=ts(period_start),
                period_end=ts(period_end),
                amount=amount,
                currency=currency,
            )
            total += amount
        for item_id, plan, amount, line_end in extra_lines:
            line_number += 1
            currency = self.unit_price(plan)[0]
            self.data.add(
                "invoice_line_item",
                invoice_id=invoice_id,
                unique_id=f"il_{invoice_id}_{line_number}",
                id=f"ii_{invoice_id}_{line_number}",
                subscription_id=self.id,
                subscription_item_id=item_id,
                plan_id=plan.id,
                type="invoiceitem",
                period_start=ts(at),
                period_end=ts(line_end),
                amount=amount,
                currency=currency,
            )
            total += amount
        if discounted and self.coupon is not None:
            total = _discounted(total, self.coupon)
            self._invoice_discount(invoice_id, at)
        total = max(total, 0)
        charge_id = None
        if total > 0 and not self.customer.is_paypal:
            for offset, charge_status in charges:
                self.charge_count += 1
                this_charge = f"ch_{self.prefix}_{self.charge_count:02d}"
                self.data.add(
                    "charge",
                    id=this_charge,
                    invoice_id=invoice_id,
                    customer_id=self.customer.id,
                    card_id=self.customer.card_id,
                    status=charge_status,
                    created=ts(at + offset),
                    amount=total,
                    amount_refunded=0,
                )
                if charge_status == "succeeded" or charge_id is None:
                    charge_id = this_charge
        self.data.add(
            "invoice",
            id=invoice_id,
            customer_id=self.customer.id,
            subscription_id=self.id,
            charge_id=charge_id,
            status=status,
            created=ts(at),
            status_transitions_finalized_at=ts(at + timedelta(minutes=1)),
            period_start=ts(period_start),
            period_end=ts(period_end),
            metadata=json.dumps(metadata or {}),
        )
        self.state["latest_invoice_id"] = invoice_id
        return invoice_id

    def _subscription_discount(self, at: datetime) -> None:
        coupon = self.coupon
        assert coupon is not None
        end = None
        if coupon.duration == "repeating":
            end = add_interval(at, "month", coupon.duration_in_months or 1, at.day)
        on_customer = self.coupon_on_customer
        self.data.add("discount", id=f"di_{self.customer.id if on_customer else self.id}",
                      type="CUSTOMER" if on_customer else "SUBSCRIPTION",
                      subscription_id=None if on_customer else self.id,
                      customer_id=self.customer.id,
                      coupon_id=coupon.id, promotion_code=coupon.promotion_code_id,
                      start=ts(at), end=ts(end))  # fmt: skip
        self.discount_end = end

    def _invoice_discount(self, invoice_id: str, at: datetime) -> None:
        coupon = self.coupon
        assert coupon is not None
        self.data.add("discount", id=f"di_{invoice_id}", type="PARENT_INVOICE_LINE_ITEM",
                      subscription_id=self.id, customer_id=self.customer.id,
                      invoice_id=invoice_id, coupon_id=coupon.id,
                      promotion_code=coupon.promotion_code_id, start=ts(self.created),
                      end=ts(getattr(self, "discount_end", None)))  # fmt: skip

    def coupon_applies(self, period_start: datetime, paid_periods: int) -> bool:
        coupon = self.coupon
        if coupon is None:
            return False
        if coupon.duration == "forever":
            return True
        if coupon.duration == "once":
            return paid_periods == 0
        return period_start < (self.discount_end or period_start)

    def charge(self, number: int) -> dict:
        return self.data.by_id["charge"][f"ch_{self.prefix}_{number:02d}"]

    def invoice(self, number: int) -> dict:
        return self.data.by_id["invoice"][f"in_{self.prefix}_{number:02d}"]

    def refund(self, charge_number: int, at: datetime, reason: str) -> None:
        charge = self.charge(charge_number)
        charge["amount_refunded"] = charge["amount"]
        self.data.add("refund", id=f"re_{charge['id'].removeprefix('ch_')}",
                      charge_id=charge["id"], status="succeeded", reason=reason,
                      created=ts(at), amount=charge["amount"])  # fmt: skip

    # --- higher-level steps -----------------------------------------------------------------------
    def start(self, *, trial_days: int = 0, incomplete_for: timedelta | None = None) -> datetime:
        """First version(s); returns the start of the first paid period."""
        at = self.created
        if trial_days:
            trial_end = at + timedelta(days=trial_days)
            self.anchor_day = trial_end.day
            self.bill(at, at, trial_end, zero=True)
            self.version(at, status="trialing", trial_start=at, trial_end=trial_end,
                         current_period_start=at, current_period_end=trial_end)  # fmt: skip
            return trial_end
        end = self.period_end(at)
        if incomplete_for is not None:
            charges = ((timedelta(0), "failed"), (incomplete_for, "succeeded"))
            self.bill(at, at, end, charges=charges, discounted=self.coupon_applies(at, 0))
            self.version(at, status="incomplete", current_period_start=at, current_period_end=end)
            self.version(at + incomplete_for, status="active")
        else:
            self.bill(at, at, end, discounted=self.coupon_applies(at, 0))
            self.version(at, status="active", current_period_start=at, current_period_end=end)
        return end

    def renew(self, period_start: datetime, paid_periods: int, *, fail: bool = False) -> datetime:
        """A renewal at ``period_start`` (paid, or past_due when ``fail``); returns period end."""
        end = self.period_end(period_start)
        charges = ((timedelta(0), "failed"),) if fail else ((timedelta(0), "succeeded"),)
        self.bill(period_start, period_start, end, charges=charges,
                  status="open" if fail else "paid",
                  discounted=self.coupon_applies(period_start, paid_periods))  # fmt: skip
        self.version(period_start, status="past_due" if fail else "active",
                     current_period_start=period_start, current_period_end=end)  # fmt: skip
        return end

    def recover(self, at: datetime) -> None:
        """The open invoice of a past_due period gets paid (a retry charge; PayPal: out of band)."""
        invoice = self.invoice(self.invoice_count)
        if invoice["charge_id"] is not None:
            failed = self.data.by_id["charge"][invoice["charge_id"]]
            self.charge_count += 1
            charge_id = f"ch_{self.prefix}_{self.charge_count:02d}"
            self.data.add("charge", id=charge_id, invoice_id=invoice["id"],
                          customer_id=self.customer.id, card_id=self.customer.card_id,
                          status="succeeded", created=ts(at), amount=failed["amount"],
                          amount_refunded=0)  # fmt: skip
            invoice["charge_id"] = charge_id
        invoice["status"] = "paid"
        self.version(at, status="active")

    def fail_out(self, at: datetime) -> None:
        """A past_due subscription is canceled for non-payment; its invoice is uncollectible."""
        if self.invoice_count:
            self.invoice(self.invoice_count)["status"] = "uncollectible"
        self.end(at, "payment_failed")

    def request_cancel(self, at: datetime) -> None:
        self.version(at, cancel_at_period_end=True, canceled_at=at)

    def end(self, at: datetime, reason: str | None = "cancellation_requested", **extra) -> None:
        """Subscription ends at ``at`` (canceled)."""
        if at < CANCELLATION_DETAILS_SINCE:
            reason = None
        canceled_at = self.state["canceled_at"] or at
        self.version(at, status="canceled", ended_at=at, canceled_at=canceled_at,
                     cancellation_details_reason=reason, **extra)  # fmt: skip

    def renew_until(self, period_start: datetime, until: datetime, paid_periods: int = 1) -> None:
        """Paid renewals at every period start before ``until`` (and before AS_OF)."""
        while period_start < min(until, AS_OF):
            period_start = self.renew(period_start, paid_periods)
            paid_periods += 1

    def finish(self) -> None:
        """Write the versions as subscription_history rows."""
        for index, version in enumerate(self.versions):
            is_last = index == len(self.versions) - 1
            end = (
                FAR_FUTURE if is_last else ts(self.versions[index + 1]["at"] - timedelta(seconds=1))
            )
            self.data.add(
                "subscription_history",
                id=self.id,
                _fivetran_start=ts(version["at"]),
                _fivetran_end=end,
                _fivetran_active=boolean(is_last),
                customer_id=self.customer.id,
                status=version["status"],
                created=ts(version["created"]),
                start_date=ts(version["start_date"]),
                current_period_start=ts(version["current_period_start"]),
                current_period_end=ts(version["current_period_end"]),
                cancel_at_period_end=boolean(version["cancel_at_period_end"]),
                canceled_at=ts(version["canceled_at"]),
                ended_at=ts(version["ended_at"]),
                trial_start=ts(version["trial_start"]),
                trial_end=ts(version["trial_end"]),
                collection_method=version["collection_method"],
                latest_invoice_id=version["latest_invoice_id"],
                default_payment_method_id=version["default_payment_method_id"],
                metadata=version["metadata"],
                cancellation_details_reason=version["cancellation_details_reason"],
            )


def _dt(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S")


# --- catalog tables -------------------------------------------------------------------------------
def add_catalog(data: StripeData) -> None:
    for product in PRODUCTS:
        data.add("product", id=product.id, name=product.name, active=boolean(product.active))
    for plan in PLANS.values():
        data.add("plan", id=plan.id, product_id=plan.product_id, amount=plan.amount,
                 currency=plan.currency, interval=plan.interval,
                 interval_count=plan.interval_count, active=boolean(plan.active),
                 nickname=plan.nickname)  # fmt: skip
    for coupon in COUPONS.values():
        data.add("coupon", id=coupon.id, name=coupon.name, amount_off=coupon.amount_off,
                 percent_off=coupon.percent_off, currency=coupon.currency,
                 duration=coupon.duration,
                 duration_in_months=coupon.duration_in_months)  # fmt: skip
        if coupon.promotion_code_id:
            data.add("promotion_code", id=coupon.promotion_code_id, code=coupon.promotion_code,
                     coupon_id=coupon.id)  # fmt: skip


# --- named scenarios (docs/subscriptions.md section 9) --------------------------------------------
def _named(
    data: StripeData,
    name: str,
    created: str,
    plans: list[str],
    country: str = "US",
    *,
    customer: Customer | None = None,
    sub_suffix: str = "",
    **kwargs: object,
) -> Subscription:
    customer_kwargs = {
        key: kwargs.pop(key)
        for key in ("payment", "wallet", "shipping_country", "is_deleted", "card_country")
        if key in kwargs
    }
    start = _dt(created)
    if customer is None:
        customer = data.add_customer(f"cus_{name}", start - timedelta(minutes=5), country,
                                     **customer_kwargs)  # fmt: skip
    return Subscription(data, f"sub_{name}{sub_suffix}", customer, start,
                        [PLANS[plan] for plan in plans], f"{name}{sub_suffix}",
                        **kwargs)  # type: ignore[arg-type]  # fmt: skip


def add_scenarios(data: StripeData) -> None:
    """Every Stripe scenario of SCENARIOS.md, with the exact timestamps documented there."""
    subs: list[Subscription] = []

    # 1. incomplete -> active -> past_due -> canceled (payment failure)
    sub = _named(data, "s01_payment_failure", "2024-03-05 10:00:00", ["plan_vpn_monthly_usd"])
    end = sub.start(incomplete_for=timedelta(minutes=20))
    sub.renew_until(end, _dt("2024-06-05 10:00:00"))
    sub.renew(_dt("2024-06-05 10:00:00"), 3, fail=True)
    sub.fail_out(_dt("2024-06-19 10:00:00"))
    subs.append(sub)

    # 2a. trial that converts
    sub = _named(data, "s02_trial_converts", "2024-04-10 08:00:00", ["plan_monitor_monthly_usd"])
    trial_end = sub.start(trial_days=14)
    sub.renew_until(trial_end, AS_OF, paid_periods=0)
    subs.append(sub)

    # 2b. trial that ends without converting
    sub = _named(data, "s02_trial_not_converted", "2024-07-01 12:00:00",
                 ["plan_monitor_monthly_usd"])  # fmt: skip
    trial_end = sub.start(trial_days=14)
    sub.request_cancel(_dt("2024-07-08 09:00:00"))
    sub.end(trial_end)
    subs.append(sub)

    # 3a. plan change mid-month, monthly -> yearly (new item, new billing period, proration)
    sub = _named(data, "s03_plan_change_interval", "2024-02-12 09:00:00",
                 ["plan_vpn_monthly_usd"])  # fmt: skip
    end = sub.start()
    change = _dt("2024-05-20 15:30:00")
    sub.renew_until(end, change)
    old_item, old_plan = sub.items[0]
    period_start = sub.state["current_period_start"]
    period_end = sub.state["current_period_end"]
    unused = -round(old_plan.amount * (period_end - change) / (period_end - period_start))
    sub.set_items(change, [PLANS["plan_vpn_yearly_usd"]])
    sub.anchor_day = change.day
    new_end = sub.period_end(change)
    sub.bill(change, change, new_end, extra_lines=((old_item, old_plan, unused, period_end),))
    sub.version(change, current_period_start=change, current_period_end=new_end)
    sub.renew_until(new_end, AS_OF)
    subs.append(sub)

    # 3b. service tier change (Relay email -> Relay phone), same billing period
    sub = _named(data, "s03_tier_change", "2024-08-25 11:00:00", ["plan_relay_monthly_usd"])
    end = sub.start()
    change = _dt("2024-09-10 11:00:00")
    old_item, old_plan = sub.items[0]
    period_start = sub.state["current_period_start"]
    fraction = (end - change) / (end - period_start)
    sub.set_items(change, [PLANS["plan_relay_phone_monthly_usd"]])
    new_item, new_plan = sub.items[0]
    saved_items = sub.items
    sub.items = []  # proration-only invoice: no subscription line
    sub.bill(change, change, end, extra_lines=(
        (old_item, old_plan, -round(old_plan.amount * fraction), end),
        (new_item, new_plan, round(new_plan.amount * fraction), end),
    ))  # fmt: skip
    sub.items = saved_items
    sub.version(change)
    sub.renew_until(end, AS_OF)
    subs.append(sub)

    # 4. re-subscription by the same customer
    sub = _named(data, "s04_resubscribe", "2024-01-15 09:00:00", ["plan_vpn_monthly_usd"],
                 sub_suffix="_1")  # fmt: skip
    end = sub.start()
    sub.renew_until(end, _dt("2024-04-01 10:00:00"))
    sub.request_cancel(_dt("2024-04-01 10:00:00"))
    sub.end(sub.state["current_period_end"])
    subs.append(sub)
    sub = _named(data, "s04_resubscribe", "2024-09-01 09:00:00", ["plan_vpn_yearly_usd"],
                 customer=sub.customer, sub_suffix="_2")  # fmt: skip
    sub.renew_until(sub.start(), AS_OF)
    subs.append(sub)

    # 5. PayPal (send_invoice), country from the customer's address
    sub = _named(data, "s05_paypal", "2024-03-01 12:00:00", ["plan_vpn_monthly_eur"], "DE",
                 payment="paypal")  # fmt: skip
    sub.renew_until(sub.start(), AS_OF)
    subs.append(sub)

    # 6. multi-currency metadata override: USD plan, EUR price in metadata
    sub = _named(data, "s06_multi_currency", "2024-05-02 16:00:00", ["plan_vpn_monthly_usd"],
                 "FR", price_override=("eur", 899))  # fmt: skip
    sub.renew_until(sub.start(), AS_OF)
    subs.append(sub)

    # 7. cancel at period end
    sub = _named(data, "s07_cancel_at_period_end", "2024-06-03 14:00:00",
                 ["plan_vpn_monthly_usd"])  # fmt: skip
    sub.renew_until(sub.start(), _dt("2025-02-10 18:45:00"))
    sub.request_cancel(_dt("2025-02-10 18:45:00"))
    sub.end(sub.state["current_period_end"])
    subs.append(sub)

    # 8. admin account deletion
    sub = _named(data, "s08_admin_delete", "2024-05-05 07:00:00", ["plan_relay_yearly_usd"],
                 is_deleted=True)  # fmt: skip
    sub.renew_until(sub.start(), _dt("2025-01-20 09:15:00"))
    admin_metadata = json.dumps({"cancellation_reason": "fxa_admin_requested_account_delete"})
    sub.end(_dt("2025-01-20 09:15:00"), metadata=admin_metadata)
    subs.append(sub)

    # 9a. refund requested by the customer, immediate cancellation
    sub = _named(data, "s09_refund", "2024-08-01 10:00:00", ["plan_vpn_yearly_usd"])
    sub.start()
    sub.refund(1, _dt("2024-08-12 16:00:00"), "requested_by_customer")
    sub.end(_dt("2024-08-12 16:00:00"))
    subs.append(sub)

    # 9b. Stripe-reported fraud, fraudulent refund, cancellation as disputed
    sub = _named(data, "s09_fraud", "2024-10-02 03:00:00", ["plan_monitor_monthly_usd"])
    sub.start()
    sub.charge(1)["fraud_details_stripe_report"] = "fraudulent"
    sub.refund(1, _dt("2024-10-03 03:00:00"), "fraudulent")
    sub.end(_dt("2024-10-03 03:00:00"), "payment_disputed")
    subs.append(sub)

    # 9c. Stripe report fraudulent, marked safe by the user
    sub = _named(data, "s09_marked_safe", "2024-10-20 11:00:00", ["plan_vpn_monthly_usd"])
    sub.renew_until(sub.start(), AS_OF)
    sub.charge(1)["fraud_details_stripe_report"] = "fraudulent"
    sub.charge(1)["fraud_details_user_report"] = "safe"
    subs.append(sub)

    # 9d. user-reported fraudulent second charge
    sub = _named(data, "s09_user_reported_fraud", "2025-01-05 11:00:00",
                 ["plan_vpn_monthly_usd"])  # fmt: skip
    sub.renew_until(sub.start(), AS_OF)
    sub.charge(2)["fraud_details_user_report"] = "fraudulent"
    subs.append(sub)

    # 9e. PayPal refund recorded in invoice metadata
    sub = _named(data, "s09_paypal_refund", "2024-11-05 13:00:00", ["plan_vpn_monthly_gbp"],
                 "GB", payment="paypal")  # fmt: skip
    sub.renew_until(sub.start(), AS_OF)
    sub.invoice(2)["metadata"] = json.dumps({"paypalRefundTransactionId": "PAYPAL-REFUND-S09-0001"})
    subs.append(sub)

    # 10a. active for part of one day only
    sub = _named(data, "s10_partial_day", "2024-10-15 09:00:00", ["plan_vpn_monthly_usd"])
    sub.start()
    sub.end(_dt("2024-10-15 17:30:00"))
    subs.append(sub)

    # 10b. active across a month boundary (four hours)
    sub = _named(data, "s10_month_boundary", "2024-11-30 22:00:00", ["plan_vpn_monthly_usd"])
    sub.start()
    sub.end(_dt("2024-12-01 02:00:00"))
    subs.append(sub)

    # 10c. ended on the 1st of a month at midnight
    sub = _named(data, "s10_ended_first_of_month", "2025-01-01 00:00:00",
                 ["plan_vpn_monthly_usd"])  # fmt: skip
    sub.renew_until(sub.start(), _dt("2025-02-14 10:00:00"))
    sub.request_cancel(_dt("2025-02-14 10:00:00"))
    sub.end(sub.state["current_period_end"])
    subs.append(sub)

    # 11. bundle plan granting two services
    sub = _named(data, "s11_bundle", "2024-04-01 08:00:00", ["plan_bundle_vpn_relay_yearly_usd"])
    sub.renew_until(sub.start(), AS_OF)
    subs.append(sub)

    # 12. two-item subscription
    sub = _named(data, "s12_two_items", "2024-06-15 12:00:00",
                 ["plan_vpn_monthly_usd", "plan_relay_monthly_usd"],
                 item_suffixes=["vpn", "relay"])  # fmt: skip
    sub.renew_until(sub.start(), AS_OF)
    subs.append(sub)

    # 13a. forever coupon via promotion code
    sub = _named(data, "s13_forever_coupon", "2024-05-01 10:00:00", ["plan_vpn_yearly_usd"],
                 coupon=COUPONS["coupon_forever_20pct"])  # fmt: skip
    sub.renew_until(sub.start(), AS_OF)
    subs.append(sub)

    # 13b. 3-month repeating coupon, still running at the as-of date
    sub = _named(data, "s13_repeating_coupon", "2025-10-20 10:00:00", ["plan_vpn_monthly_usd"],
                 coupon=COUPONS["coupon_3_months_50pct"])  # fmt: skip
    sub.renew_until(sub.start(), AS_OF)
    subs.append(sub)

    # 13c. customer-level forever coupon (no subscription discount)
    sub = _named(data, "s13_customer_coupon", "2024-09-15 09:30:00", ["plan_vpn_monthly_eur"],
                 "NL", coupon=COUPONS["coupon_loyalty_forever_10pct"],
                 coupon_on_customer=True)  # fmt: skip
    sub.renew_until(sub.start(), AS_OF)
    subs.append(sub)

    # 15. out-of-order incomplete version after activation
    sub = _named(data, "s15_out_of_order_incomplete", "2024-07-20 10:00:00",
                 ["plan_vpn_monthly_usd"])  # fmt: skip
    end = sub.start(incomplete_for=timedelta(minutes=5))
    sub.version(_dt("2024-07-20 10:06:00"), status="incomplete")
    sub.version(_dt("2024-07-20 10:07:00"), status="active")
    sub.renew_until(end, AS_OF)
    subs.append(sub)

    for sub in subs:
        sub.finish()


# --- bad input ------------------------------------------------------------------------------------
def add_bad_input(data: StripeData) -> None:
    """The spec's bad-input cases, each a named subscription otherwise like an ordinary one."""

    def monthly(name: str, created: str, plan: str = "plan_vpn_monthly_usd", **kwargs: object):
        customer = kwargs.pop("customer", None)
        if customer is None:
            customer = data.add_customer(f"cus_{name}", _dt(created) - timedelta(minutes=5), "US")
        return Subscription(data, f"sub_{name}", customer, _dt(created), [],
                            f"{name}", **kwargs)  # type: ignore[arg-type]  # fmt: skip

    def run(sub: Subscription, plan_id: str, plan: Plan) -> None:
        sub.items = []
        item_id = f"si_{sub.prefix}_1"
        data.add("subscription_item", id=item_id, subscription_id=sub.id, plan_id=plan_id,
                 created=ts(sub.created), quantity=1)  # fmt: skip
        sub.items = [(item_id, plan)]

    def history_row(sub_id: str, start: str) -> dict:
        return next(
            row
            for row in data.rows["subscription_history"]
            if row["id"] == sub_id and row["_fivetran_start"] == start
        )

    usd_monthly = PLANS["plan_vpn_monthly_usd"]

    def plain(name: str, created: str, until: str | None = None, **kwargs: object):
        sub = monthly(name, created, **kwargs)
        run(sub, usd_monthly.id, usd_monthly)
        end = sub.start()
        if until is None:
            sub.renew_until(end, AS_OF)
        else:
            sub.renew_until(end, _dt(until))
        return sub

    # duplicate (id, _fivetran_start): the version starting 2024-03-10 10:00:00 appears twice
    sub = plain("bad_duplicate_version", "2024-01-10 10:00:00", "2024-07-01 00:00:00")
    sub.request_cancel(_dt("2024-06-20 08:00:00"))
    sub.end(sub.state["current_period_end"])
    sub.finish()
    data.rows["subscription_history"].append(
        dict(history_row("sub_bad_duplicate_version", "2024-03-10 10:00:00"))
    )

    # _fivetran_end before _fivetran_start
    sub = plain("bad_end_before_start", "2024-03-12 10:00:00")
    sub.finish()
    history_row("sub_bad_end_before_start", "2024-05-12 10:00:00")["_fivetran_end"] = (
        "2024-05-11 10:00:00"
    )

    # zero-length version: a cancel_at_period_end flicker undone one second later
    sub = plain("bad_zero_length_version", "2024-04-20 15:00:00", "2024-06-20 15:00:00")
    sub.renew(_dt("2024-06-20 15:00:00"), 2)
    sub.versions[-1]["cancel_at_period_end"] = True
    sub.version(_dt("2024-06-20 15:00:01"), cancel_at_period_end=False)
    sub.renew_until(sub.state["current_period_end"], AS_OF)
    sub.finish()
    history_row("sub_bad_zero_length_version", "2024-06-20 15:00:00")["_fivetran_end"] = (
        "2024-06-20 15:00:00"
    )

    # unknown status
    sub = plain("bad_unknown_status", "2024-06-05 10:00:00", "2024-08-05 10:00:00")
    sub.renew(_dt("2024-08-05 10:00:00"), 2)
    sub.versions[-1]["status"] = "suspended"
    sub.version(_dt("2024-08-06 10:00:00"), status="active")
    sub.renew_until(sub.state["current_period_end"], AS_OF)
    sub.finish()

    # item whose plan is missing from the plan table
    sub = monthly("bad_missing_plan", "2024-02-02 10:00:00")
    run(sub, MISSING_PLAN_ID, usd_monthly)
    sub.renew_until(sub.start(), AS_OF)
    for line in data.rows["invoice_line_item"]:
        if line["subscription_id"] == sub.id:
            line["plan_id"] = MISSING_PLAN_ID
    sub.finish()

    # plan whose product is missing from the product table
    sub = monthly("bad_missing_product", "2024-02-03 10:00:00")
    run(sub, "plan_bad_missing_product", PLANS["plan_bad_missing_product"])
    sub.renew_until(sub.start(), AS_OF)
    sub.finish()

    # subscription whose customer is missing (card and payment method exist, customer row not)
    data.add("card", id="card_bad_missing_customer", country="US", wallet_type=None)
    data.add("payment_method", id="pm_bad_missing_customer",
             customer_id="cus_bad_missing_customer", type="card")  # fmt: skip
    data.add("payment_method_card", payment_method_id="pm_bad_missing_customer", brand="visa")
    ghost = Customer("cus_bad_missing_customer", "pm_bad_missing_customer",
                     "card_bad_missing_customer", False)  # fmt: skip
    sub = monthly("bad_missing_customer", "2024-04-04 10:00:00", customer=ghost)
    run(sub, usd_monthly.id, usd_monthly)
    sub.renew_until(sub.start(), AS_OF)
    sub.finish()

    # unparsable metadata on every version
    sub = monthly("bad_unparsable_metadata", "2024-05-06 10:00:00",
                  metadata='{"currency": "eur", "amount": "899"')  # fmt: skip
    run(sub, usd_monthly.id, usd_monthly)
    sub.renew_until(sub.start(), AS_OF)
    sub.finish()


# --- ordinary subscriptions -----------------------------------------------------------------------
PLAN_CHOICES: list[tuple[str, int]] = [
    ("vpn_monthly", 30), ("vpn_yearly", 22), ("vpn_6months", 2), ("relay_monthly", 8),
    ("relay_yearly", 6), ("relay_phone_monthly", 3), ("relay_phone_yearly", 2),
    ("monitor_monthly", 6), ("monitor_yearly", 4), ("mdnplus5_monthly", 4),
    ("mdnplus5_yearly", 2), ("mdnplus10_monthly", 2), ("mdnplus10_yearly", 1),
    ("bundle_vpn_relay_yearly", 3),
]  # fmt: skip


def _plan_for(kind: str, currency: str) -> Plan:
    if kind == "vpn_6months":
        return PLANS["plan_vpn_6months_usd"]
    return PLANS.get(f"plan_{kind}_{currency}") or PLANS[f"plan_{kind}_usd"]


def draw_ordinary(count: int, seed: int) -> list[dict]:
    """Draw the parameters of ``count`` ordinary subscriptions (the only random step)."""
    rng = random.Random(seed)
    countries = list(COUNTRIES)
    country_weights = [COUNTRIES[code][2] for code in countries]
    kinds = [kind for kind, _ in PLAN_CHOICES]
    kind_weights = [weight for _, weight in PLAN_CHOICES]
    span = int((datetime(2025, 12, 20) - DEMO_START).total_seconds())
    draws = []
    for number in range(1, count + 1):
        country = rng.choices(countries, country_weights)[0]
        kind = rng.choices(kinds, kind_weights)[0]
        payment = rng.choices(["card", "paypal", "link", "cashapp"], [75, 15, 6, 4])[0]
        if payment == "cashapp" and country != "US":
            payment = "card"
        wallet = rng.choices([None, "apple_pay", "google_pay"], [70, 15, 15])[0]
        monthly = "monthly" in kind
        draws.append(
            {
                "number": number,
                "country": country,
                "has_address": payment == "paypal" or rng.random() < 0.8,
                "has_shipping": rng.random() < 0.3,
                "card_country": country if rng.random() < 0.9 else rng.choice(countries),
                "payment": payment,
                "wallet": wallet if payment == "card" else None,
                "brand": rng.choice(["visa", "visa", "mastercard", "amex"]),
                "kind": kind,
                "created": DEMO_START + timedelta(seconds=rng.randrange(span)),
                "incomplete_seconds": rng.choice([15, 40, 90]) if rng.random() < 0.1 else 0,
                "trial_days": rng.choice([7, 14]) if rng.random() < 0.08 else 0,
                "coupon": (
                    rng.choice(["coupon_welcome_once_25pct", "coupon_vpn_launch_2_usd"])
                    if rng.random() < 0.08
                    else None
                ),
                # number of paid periods before the end (None: still running at AS_OF)
                "paid_periods": (
                    rng.randint(1, 18) if monthly and rng.random() < 0.55
                    else (1 if not monthly and rng.random() < 0.35 else None)
                ),
                "end_mode": rng.choices(
                    ["period_end", "immediate", "payment_failure"], [70, 12, 18]
                )[0],
                "cancel_fraction": rng.uniform(0.05, 0.95),
                "recovered_failure_period": rng.randint(1, 12) if rng.random() < 0.06 else None,
                "resubscribe_after_days": rng.randint(20, 200) if rng.random() < 0.12 else None,
                "second_kind": rng.choices(kinds, kind_weights)[0],
            }
        )  # fmt: skip
    return draws


def expand_ordinary(data: StripeData, draw: dict) -> None:
    """Rows of one ordinary customer (and a possible second subscription) from its draw."""
    number = draw["number"]
    suffix = f"{number:04d}"
    country = draw["country"]
    currency = COUNTRIES[country][1]
    customer = data.add_customer(
        f"cus_{suffix}",
        draw["created"] - timedelta(minutes=3),
        country if draw["has_address"] else None,
        shipping_country=country if draw["has_shipping"] else None,
        payment=draw["payment"],
        wallet=draw["wallet"],
        card_country=draw["card_country"],
        brand=draw["brand"],
        account_key=f"ordinary-{suffix}",
    )
    ended_at = _ordinary_subscription(data, customer, f"sub_{suffix}", suffix, draw,
                                      _plan_for(draw["kind"], currency))  # fmt: skip
    if ended_at is not None and draw["resubscribe_after_days"] is not None:
        second = ended_at + timedelta(days=draw["resubscribe_after_days"], hours=3)
        if second < datetime(2025, 12, 25):
            again = {**draw, "created": second, "paid_periods": None, "trial_days": 0,
                     "coupon": None, "incomplete_seconds": 0,
                     "recovered_failure_period": None}  # fmt: skip
            _ordinary_subscription(data, customer, f"sub_{suffix}_2", f"{suffix}_2", again,
                                   _plan_for(draw["second_kind"], currency))  # fmt: skip


def _ordinary_subscription(
    data: StripeData, customer: Customer, sub_id: str, prefix: str, draw: dict, plan: Plan
) -> datetime | None:
    """One ordinary subscription; returns its end instant (None while running at AS_OF)."""
    coupon = COUPONS[draw["coupon"]] if draw["coupon"] else None
    if coupon is not None and coupon.currency not in (None, plan.currency):
        coupon = None
    sub = Subscription(data, sub_id, customer, draw["created"], [plan], prefix, coupon=coupon)
    incomplete = (
        timedelta(seconds=draw["incomplete_seconds"]) if draw["incomplete_seconds"] else None
    )
    period_start = sub.start(trial_days=draw["trial_days"], incomplete_for=incomplete)
    paid = 0 if draw["trial_days"] else 1
    target = draw["paid_periods"]
    ended_at = None
    while period_start < AS_OF:
        period_end = sub.period_end(period_start)
        is_last = target is not None and paid >= target
        if is_last and draw["end_mode"] == "payment_failure":
            sub.renew(period_start, paid, fail=True)
            ended_at = period_start + timedelta(days=14)
            if ended_at < AS_OF:
                sub.fail_out(ended_at)
            else:
                ended_at = None
            break
        if is_last:
            # the customer cancels during the period that has just been paid
            previous_start = sub.state["current_period_start"]
            request = previous_start + (period_start - previous_start) * draw["cancel_fraction"]
            request = request.replace(microsecond=0)
            if request <= sub.versions[-1]["at"]:
                request = sub.versions[-1]["at"] + timedelta(minutes=1)
            if draw["end_mode"] == "immediate":
                sub.end(request)
                ended_at = request
            else:
                sub.request_cancel(request)
                sub.end(period_start)
                ended_at = period_start
            break
        failing = (
            draw["recovered_failure_period"] == paid and period_start + timedelta(days=3) < AS_OF
        )
        sub.renew(period_start, paid, fail=failing)
        if failing:
            sub.recover(period_start + timedelta(days=3))
        paid += 1
        period_start = period_end
    sub.finish()
    return ended_at


def generate(scale: int, seed: int) -> dict[str, list[dict]]:
    """All Stripe raw tables: catalog, named scenarios, bad input, ``300 * scale`` ordinary."""
    data = StripeData()
    add_catalog(data)
    add_scenarios(data)
    add_bad_input(data)
    for draw in draw_ordinary(ORDINARY_PER_SCALE * scale, seed):
        expand_ordinary(data, draw)
    sort_keys = {
        "charge": ("id",),
        "invoice": ("id",),
        "invoice_line_item": ("invoice_id", "unique_id"),
        "subscription_history": ("id", "_fivetran_start"),
    }
    for table, key in sort_keys.items():
        data.rows[table].sort(key=lambda row, key=key: tuple(str(row[k]) for k in key))
    return data.as_tables()
