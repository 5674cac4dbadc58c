"""Receipts read back from what was posted: the items, discounts and payments as they stood,
the figures frozen at posting, the next appointment, and every printing counted."""

from __future__ import annotations

from datetime import timedelta

import pytest

from clinic_desk.clock import FixedClock
from clinic_desk.models import Appointment, AppointmentStatus, Charge, PaymentKind
from clinic_desk.services.cashdesk import add_discount
from clinic_desk.services.errors import NotFound
from clinic_desk.services.receipts import (ReceiptItem, ReceiptReduction, UpcomingAppointment,
                                           patient_receipts, receipt_data, record_print)

from tests.clinics import START
from .cash import Till
from .helpers import expect_denied, last_audit_entry, rows


def book(till: Till, patient_id: int, days_ahead: float,
         status: AppointmentStatus = AppointmentStatus.BOOKED) -> None:
    """An appointment as the calendar stores it."""
    kind = rows(till.clinic.desk, "SELECT id FROM visit_kinds ORDER BY id LIMIT 1")[0][0]
    with till.clinic.desk.db.write() as session:
        session.add(Appointment(
            patient_id=patient_id, doctor_id=till.doctor, visit_kind_id=kind,
            starts_at=START + timedelta(days=days_ahead), units=2, status=status,
            created_at=START, created_by_id=till.clinic.receptionist.staff_id))


def test_a_split_payment_reads_back_line_by_line(till: Till, patient: int, visit: int) -> None:
    desk, cashier = till.clinic.desk, till.clinic.cashier
    till.charge(visit, till.items.filling, 2, position_note="16, 17")
    till.charge(visit, till.items.exam, doctor_id=till.other_doctor)
    add_discount(desk, cashier, visit, amount_text="10.00", reason="会员")
    book(till, patient, -1)                                  # past
    book(till, patient, 3, AppointmentStatus.CANCELLED)      # not coming
    book(till, patient, 14)
    book(till, patient, 7, AppointmentStatus.CONFIRMED)      # the next one
    posted = till.pay(patient, visit, till.card("400.00", last4="6222", reference="POS-1"),
                      till.cash("150.00", tendered="200.00"))

    data = receipt_data(desk, posted.receipt_id)
    assert (data.number, data.receipt_id, data.visit_id) == (posted.receipt_number,
                                                              posted.receipt_id, visit)
    assert data.issued_at == START
    assert (data.clinic.clinic_name, data.clinic.address, data.clinic.phone) == (
        "Bright Smile Dental", "88 Caoxi Road", "021-64388888")
    assert data.patient_name == "张三" and data.record_number == rows(
        desk, "SELECT record_number FROM patients WHERE id = ?", patient)[0][0]
    assert data.cashier_name == "Sun Meiling"
    assert data.items == (
        ReceiptItem("补牙", "治疗", 2, 28000, 56000, "李建国", "16, 17"),
        ReceiptItem("口腔检查", "检查", 1, 5000, 5000, "王丽", ""))
    assert data.discounts == (ReceiptReduction("会员", 1000, None),)
    assert [(p.kind, p.amount, p.card_type, p.card_last4, p.reference, p.change_given)
            for p in data.payments] == [
        (PaymentKind.CARD, 40000, "UnionPay debit", "6222", "POS-1", None),
        (PaymentKind.CASH, 15000, "", "", "", 5000)]
    assert (data.total_charged, data.paid_today, data.balance_after) == (60000, 55000, 5000)
    assert data.earlier_balance == 0 and data.change_given == 5000
    assert data.next_appointment == UpcomingAppointment(START + timedelta(days=7), "李建国")
    assert data.prints == 0


def test_two_equal_payments_stay_two_lines(till: Till, patient: int, visit: int) -> None:
    till.charge(visit, till.items.filling)
    posted = till.pay(patient, visit, till.cash("100.00"), till.cash("100.00"))
    data = receipt_data(till.clinic.desk, posted.receipt_id)
    assert [(p.kind, p.amount) for p in data.payments] == [(PaymentKind.CASH, 10000)] * 2
    assert data.change_given is None and data.balance_after == 8000


def test_every_print_is_counted_and_audited(till: Till, patient: int, visit: int,
                                            clock: FixedClock) -> None:
    desk, cashier = till.clinic.desk, till.clinic.cashier
    till.charge(visit, till.items.exam)
    receipt_id = till.pay(patient, visit, till.cash("50.00")).receipt_id
    assert [record_print(desk, cashier, receipt_id, "CUPS-PDF") for _ in range(3)] == [0, 1, 2]
    assert receipt_data(desk, receipt_id).prints == 3
    entry = last_audit_entry(desk)
    assert (entry.action, entry.actor_id, entry.entity_id) == (
        "receipt_printed", cashier.staff_id, receipt_id)
    assert entry.details["copy"] == 2 and entry.details["printer"] == "CUPS-PDF"
    assert rows(desk, "SELECT copy_number, printer_name, printed_by_id FROM document_prints "
                      "ORDER BY id") == [(n, "CUPS-PDF", cashier.staff_id) for n in range(3)]
    expect_denied(desk, lambda: record_print(desk, till.clinic.receptionist, receipt_id, "x"))
    with pytest.raises(NotFound):
        record_print(desk, cashier, receipt_id + 99, "CUPS-PDF")


def test_a_reprint_says_what_the_original_said(till: Till, patient: int, visit: int,
                                               clock: FixedClock) -> None:
    desk, cashier = till.clinic.desk, till.clinic.cashier
    till.charge(visit, till.items.crown)
    first = till.pay(patient, visit, till.card("1000.00"))
    before = receipt_data(desk, first.receipt_id)
    clock.advance(minutes=20)  # the patient has a filling after all, and a discount
    till.charge(visit, till.items.filling)
    add_discount(desk, cashier, visit, amount_text="30.00", reason="老患者")
    second = till.pay(patient, visit, till.cash("300.00"))

    assert receipt_data(desk, first.receipt_id) == before
    assert [i.description for i in before.items] == ["烤瓷冠"] and not before.discounts
    later = receipt_data(desk, second.receipt_id)
    assert [i.description for i in later.items] == ["烤瓷冠", "补牙"]
    assert later.discounts == (ReceiptReduction("老患者", 3000, None),)
    # the first receipt's card payment is "paid earlier" on the second one
    assert (later.total_charged, later.earlier_balance, later.paid_today,
            later.balance_after) == (275000, -100000, 30000, 145000)


def test_a_percentage_discount_keeps_its_percentage(till: Till, patient: int,
                                                    visit: int) -> None:
    till.charge(visit, till.items.filling)
    add_discount(till.clinic.desk, till.clinic.cashier, visit, percent=5, reason="会员")
    data = receipt_data(till.clinic.desk, till.pay(patient, visit, till.cash("10.00"))
                        .receipt_id)
    assert data.discounts == (ReceiptReduction("会员", 1400, 500),)


def test_a_corrected_charge_and_its_reversal_cancel_out(till: Till, patient: int, visit: int,
                                                        clock: FixedClock) -> None:
    """As the correction register posts it: the wrong charge reversed, the right one added."""
    desk = till.clinic.desk
    wrong = till.charge(visit, till.items.crown)
    with desk.db.write() as session:
        original = session.get(Charge, wrong)
        assert original is not None
        session.add(Charge(
            patient_id=patient, visit_id=visit, price_item_id=original.price_item_id,
            category_id=original.category_id, description=original.description,
            quantity=original.quantity, unit_price=original.unit_price, amount=-original.amount,
            doctor_id=original.doctor_id, business_date=original.business_date,
            created_at=START, created_by_id=till.clinic.cashier.staff_id,
            reverses_charge_id=original.id))
    till.charge(visit, till.items.filling)
    data = receipt_data(desk, till.pay(patient, visit, till.cash("280.00")).receipt_id)
    assert [i.description for i in data.items] == ["补牙"]
    assert (data.total_charged, data.balance_after) == (28000, 0)


def test_a_deposit_then_the_visit_that_uses_it(till: Till, patient: int,
                                               clock: FixedClock) -> None:
    desk = till.clinic.desk
    deposit = receipt_data(desk, till.pay(patient, None, till.wechat("300.00", reference="WX-9"),
                                          deposit=True).receipt_id)
    assert (deposit.items, deposit.discounts, deposit.visit_id) == ((), (), None)
    assert (deposit.total_charged, deposit.paid_today, deposit.balance_after,
            deposit.earlier_balance) == (0, 30000, -30000, 0)
    assert deposit.payments[0].reference == "WX-9"

    clock.advance(hours=1)  # doctors work Mondays only
    visit = till.visit(patient)
    till.charge(visit, till.items.filling)
    till.charge(visit, till.items.exam)
    used = receipt_data(desk, till.pay(patient, visit, till.cash("30.00")).receipt_id)
    assert (used.total_charged, used.earlier_balance, used.paid_today, used.balance_after) == (
        33000, -30000, 3000, 0)


def test_the_patients_receipts_newest_first_with_their_prints(till: Till, patient: int,
                                                              visit: int,
                                                              clock: FixedClock) -> None:
    desk, cashier = till.clinic.desk, till.clinic.cashier
    till.charge(visit, till.items.crown)
    first = till.pay(patient, visit, till.cash("100.00"))
    clock.advance(minutes=1)
    second = till.pay(patient, visit, till.cash("200.00"))
    record_print(desk, cashier, first.receipt_id, "CUPS-PDF")
    record_print(desk, cashier, first.receipt_id, "CUPS-PDF")
    listed = patient_receipts(desk, patient)
    assert [(r.number, r.paid_today, r.balance_after, r.prints) for r in listed] == [
        (second.receipt_number, 20000, 220000, 0), (first.receipt_number, 10000, 240000, 2)]
    assert patient_receipts(desk, till.patients.add("李四")) == []
    with pytest.raises(NotFound):
        receipt_data(desk, 999)
