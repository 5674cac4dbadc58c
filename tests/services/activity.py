"""A day of cash-desk activity described as data (for hypothesis), played through the
services, with this module's own book of what the ledger must add up to.

The book never asks the services for a sum: it adds up what it posted, by payment method,
doctor, price-list item and hour, so the reports and exports can be checked against it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from fractions import Fraction

from hypothesis import strategies as st

from clinic_desk.money import format_plain
from clinic_desk.services.cashdesk import add_discount

from .cash import Till
from .closing import refund, reverse
from .helpers import at

KINDS = ("cash", "card", "wechat", "alipay")
PRICES = {"exam": 5000, "filling": 28000, "crown": 250000, "gauze": 350}


@dataclass(frozen=True)
class VisitPlan:
    arrives: int                       # minutes after 08:00
    other_doctor: bool
    items: tuple[tuple[str, int], ...]  # (item, quantity)
    discount_percent: int | None
    parts: tuple[tuple[str, int], ...]  # (payment kind, percent of what is owed)
    pays_after: int                    # minutes after arriving
    refund_percent: int | None         # of the first part, a while later
    reversed_last: bool                # the last part reversed by the correction register


visit_plans = st.builds(
    VisitPlan,
    arrives=st.integers(0, 9 * 60),
    other_doctor=st.booleans(),
    items=st.lists(st.tuples(st.sampled_from(sorted(PRICES)), st.integers(1, 3)),
                   min_size=1, max_size=3).map(tuple),
    discount_percent=st.none() | st.integers(1, 10),  # within the limit: no approval
    # each part a share of what is owed: together at most all of it (or a part payment)
    parts=st.lists(st.tuples(st.sampled_from(KINDS), st.integers(1, 33)), min_size=1,
                   max_size=3).map(tuple),
    pays_after=st.integers(0, 180),
    refund_percent=st.none() | st.integers(1, 100),
    reversed_last=st.booleans())
day_plans = st.lists(visit_plans, min_size=1, max_size=6)


@dataclass
class Book:
    """What the ledger of the day must add up to, by each dimension."""

    by_method: Counter[int] = field(default_factory=Counter)     # received
    taken: Counter[int] = field(default_factory=Counter)
    corrected: Counter[int] = field(default_factory=Counter)
    refunded: Counter[int] = field(default_factory=Counter)
    by_hour: Counter[int] = field(default_factory=Counter)
    by_doctor: Counter[int] = field(default_factory=Counter)     # charged
    by_item: Counter[int] = field(default_factory=Counter)
    discounted: int = 0

    @property
    def received(self) -> int:
        return sum(self.by_method.values())

    @property
    def charged(self) -> int:
        return sum(self.by_doctor.values())


def play(till: Till, plans: list[VisitPlan]) -> Book:
    """Post the day through the cash desk (refunds and reversals as ledger rows), each
    visit at its own times of day."""
    desk, clock = till.clinic.desk, till.clinic.clock
    manager = till.clinic.manager.staff_id
    items = {"exam": till.items.exam, "filling": till.items.filling,
             "crown": till.items.crown, "gauze": till.items.gauze}
    methods = {kind: getattr(till.methods, kind) for kind in KINDS}
    book = Book()

    def received(method: int, amount: int) -> None:
        book.by_method[method] += amount
        book.by_hour[local_hour(clock.now())] += amount

    for plan in plans:
        arrival = at(8) + timedelta(minutes=plan.arrives)
        clock.set(arrival)
        doctor = till.other_doctor if plan.other_doctor else till.doctor
        patient = till.new_patient()
        visit = till.visit(patient, doctor)
        charged = 0
        for item, quantity in plan.items:
            till.charge(visit, items[item], quantity, doctor_id=doctor)
            charged += PRICES[item] * quantity
            book.by_doctor[doctor] += PRICES[item] * quantity
            book.by_item[items[item]] += PRICES[item] * quantity
        owed = charged
        if plan.discount_percent:
            add_discount(desk, till.clinic.cashier, visit, percent=plan.discount_percent,
                         reason="regular patient")
            value = round(Fraction(charged * plan.discount_percent, 100))
            book.discounted += value
            owed -= value
        amounts = [max(1, owed * percent // 100) for _kind, percent in plan.parts]
        clock.set(arrival + timedelta(minutes=plan.pays_after))
        posted = till.pay(patient, visit, *(
            getattr(till, kind)(format_plain(amount, "CNY"))
            for (kind, _percent), amount in zip(plan.parts, amounts)))
        for (kind, _percent), amount in zip(plan.parts, amounts):
            book.taken[methods[kind]] += amount
            received(methods[kind], amount)
        if plan.refund_percent:
            clock.advance(minutes=7)
            amount = max(1, amounts[0] * plan.refund_percent // 100)
            refund(till, posted.payment_ids[0], amount, manager)
            book.refunded[methods[plan.parts[0][0]]] += amount
            received(methods[plan.parts[0][0]], -amount)
        if plan.reversed_last and not (plan.refund_percent and len(plan.parts) == 1):
            clock.advance(minutes=3)
            reverse(till, posted.payment_ids[-1], manager)
            book.corrected[methods[plan.parts[-1][0]]] -= amounts[-1]
            received(methods[plan.parts[-1][0]], -amounts[-1])
    return book


def local_hour(moment: datetime) -> int:
    """The hour on the clinic's clocks (Shanghai, the test clinic's zone, no summer time)."""
    return (moment.astimezone(timezone.utc) + timedelta(hours=8)).hour
