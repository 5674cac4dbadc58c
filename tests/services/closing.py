"""Day-close test helpers: filling in the count sheet as a cashier would, and refunds and
corrections written as plain ledger rows (the way the refund desk and the correction
register write them), so the day's figures can be checked against them."""

from __future__ import annotations

import itertools
from datetime import date

from clinic_desk.models import Correction, Payment, Refund
from clinic_desk.money import format_plain, parse_amount
from clinic_desk.services.auth import Approval
from clinic_desk.services.context import Actor
from clinic_desk.services.day_close import (CloseForm, ClosedDay, CloseSheet, CountForm,
                                            CountResult, close_day, close_sheet, record_count)

from .cash import Till, new_key
from .helpers import TODAY

_numbers = itertools.count(1)


def notes_for(amount: int, denominations: tuple[int, ...]) -> dict[int, str]:
    """How a drawer holding `amount` is counted, largest notes first (typed as text)."""
    counts: dict[int, str] = {}
    for denomination in denominations:
        counts[denomination], amount = str(amount // denomination), amount % denomination
    assert amount == 0, "the amount cannot be made of these notes and coins"
    return counts


def count(till: Till, drawer: int, reported: dict[int, int] | None = None,
          opening_float: str = "500.00", day: date = TODAY,
          actor: Actor | None = None) -> tuple[CloseSheet, CountResult]:
    """Count a drawer holding `drawer` (minor units) with these terminal totals."""
    desk, cashier = till.clinic.desk, actor or till.clinic.cashier
    sheet = close_sheet(desk, cashier, day)
    result = record_count(desk, cashier, CountForm(
        business_date=day, cash_station_id=sheet.cash_station_id,
        counts=notes_for(drawer, sheet.denominations),
        reported={m: format_plain(v, "CNY") for m, v in (reported or {}).items()},
        opening_float_text=opening_float if sheet.opening_float is None else ""))
    return sheet, result


def close_on(till: Till, result: CountResult, explanation: str = "", float_kept: str = "",
             approval: Approval | None = None, actor: Actor | None = None) -> ClosedDay:
    return close_day(till.clinic.desk, actor or till.clinic.cashier,
                     CloseForm(result.count_id, explanation, float_kept), approval)


def close_exactly(till: Till, cash: int, reported: dict[int, int] | None = None,
                  opening_float: str = "500.00", day: date = TODAY) -> ClosedDay:
    """Close with a drawer holding the float plus `cash` and the terminals agreeing."""
    sheet = close_sheet(till.clinic.desk, till.clinic.cashier, day)
    start = sheet.opening_float if sheet.opening_float is not None else parse_amount(
        opening_float, "CNY")
    _sheet, result = count(till, start + cash, reported, opening_float, day)
    assert result.largest_difference == 0, result
    return close_on(till, result)


def refund(till: Till, payment_id: int, amount: int, approved_by: int) -> int:
    desk, clock = till.clinic.desk, till.clinic.clock
    with desk.db.write() as session:
        payment = session.get(Payment, payment_id)
        assert payment is not None
        row = Refund(number=f"TR{next(_numbers):06d}", idempotency_key=new_key("refund"),
                     payment_id=payment.id, patient_id=payment.patient_id,
                     visit_id=payment.visit_id, method_id=payment.method_id, amount=amount,
                     reason_detail="treatment not done", approved_by_id=approved_by,
                     receiver_name="张三", business_date=payment.business_date,
                     created_at=clock.now(), cashier_id=till.clinic.cashier.staff_id)
        session.add(row)
        session.flush()
        return row.id


def reverse(till: Till, payment_id: int, approved_by: int) -> int:
    """The correction register reversing a payment: a register entry and a negative row."""
    desk, clock = till.clinic.desk, till.clinic.clock
    with desk.db.write() as session:
        payment = session.get(Payment, payment_id)
        assert payment is not None
        correction = Correction(
            number=f"TC{next(_numbers):06d}", patient_id=payment.patient_id,
            what_was_wrong="posted twice", reason="double click", how_corrected="reversed",
            business_date=payment.business_date, created_at=clock.now(),
            cashier_id=till.clinic.cashier.staff_id, approved_by_id=approved_by)
        session.add(correction)
        session.flush()
        session.add(Payment(
            idempotency_key=new_key("reverse"), patient_id=payment.patient_id,
            visit_id=payment.visit_id, method_id=payment.method_id, amount=-payment.amount,
            is_deposit=payment.is_deposit, business_date=payment.business_date,
            created_at=clock.now(), cashier_id=till.clinic.cashier.staff_id,
            reverses_payment_id=payment.id, correction_id=correction.id))
        return correction.id
