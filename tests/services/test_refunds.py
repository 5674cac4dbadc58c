"""Refunds through the database: out of a payment or an item, approved by a manager on the
spot, numbered without gaps, never more than was paid (also with two desks at once), on the
patient's history and in the refund register; and everything a refund refuses to write."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta

import pytest

from clinic_desk.clinic import open_clinic
from clinic_desk.models import Role, Sex
from clinic_desk.services import catalog
from clinic_desk.services.auth import Approval, approve
from clinic_desk.services.corrections import CorrectionRequest, EntryKind, correct_entry
from clinic_desk.services.errors import (DayClosed, NotFound, PermissionDenied,
                                         ValidationError)
from clinic_desk.services.ledger import visit_totals
from clinic_desk.services.patients import patient_history
from clinic_desk.services.refunds import (RecordedRefund, RefundRequest, check_refund, record_print,
                                          record_refund, refund_register, refund_slip_data,
                                          refundable)
from clinic_desk.services.staff import StaffForm, add_staff

from tests.clinics import CASHIER_LOGIN, MANAGER_LOGIN
from .cash import Till, new_key
from .helpers import (TODAY, dump, expect_denied, expect_field_error, last_audit_entry, rows)
from .test_cashdesk import balance, close_day


NEXT_WEEK = TODAY + timedelta(days=7)


@dataclass(frozen=True)
class Paid:
    """A patient who had a filling (280.00) and an examination (50.00) and paid for both."""

    patient: int
    visit: int
    filling: int  # charge ids
    exam: int
    payment: int  # the one payment of 330.00


@pytest.fixture
def approval(till: Till) -> Approval:
    return approve(till.clinic.desk, *MANAGER_LOGIN)


@pytest.fixture
def reasons(till: Till) -> list[int]:
    """The clinic's starting refund reasons (treatment not done, charged in error ...)."""
    return [r.id for r in catalog.list_refund_reasons(till.clinic.desk)]


def paid_visit(till: Till, how: str = "card", name: str = "张三") -> Paid:
    patient = till.new_patient(name)
    visit = till.visit(patient)
    filling = till.charge(visit, till.items.filling)
    exam = till.charge(visit, till.items.exam)
    posted = till.pay(patient, visit, getattr(till, how)("330.00"))
    return Paid(patient, visit, filling, exam, posted.payment_ids[0])


@pytest.fixture
def paid(till: Till) -> Paid:
    return paid_visit(till)


def request_for(till: Till, paid: Paid, reasons: list[int], amount: str = "100.00",
                **changes: object) -> RefundRequest:
    base = RefundRequest(
        patient_id=paid.patient, payment_id=paid.payment, amount_text=amount,
        reason_id=reasons[0], reason_detail="患者决定不做 The patient chose not to have it",
        doctor_id=till.doctor, receiver_name="张三", opinion="同意 Agreed",
        idempotency_key=new_key("refund"))
    return replace(base, **changes)  # type: ignore[arg-type]


def refund(till: Till, request: RefundRequest, approval: Approval | None) -> RecordedRefund:
    return record_refund(till.clinic.desk, till.clinic.cashier, request, approval)


def refund_rows(till: Till) -> list[tuple[object, ...]]:
    return rows(till.clinic.desk,
                "SELECT number, payment_id, charge_id, patient_id, visit_id, method_id, amount, "
                "reason_id, doctor_id, approved_by_id, approval_opinion, receiver_name, "
                "business_date, cashier_id FROM refunds ORDER BY id")


# --- refunding an amount or an item -----------------------------------------------------------

def test_an_amount_goes_back_the_way_it_was_paid_with_everything_recorded(
        till: Till, paid: Paid, reasons: list[int], approval: Approval) -> None:
    desk, cashier = till.clinic.desk, till.clinic.cashier
    recorded = refund(till, request_for(till, paid, reasons, "  120.50 "), approval)
    assert (recorded.number, recorded.amount, recorded.repeated) == ("00000001", 12050, False)
    assert refund_rows(till) == [
        ("00000001", paid.payment, None, paid.patient, paid.visit, till.methods.card, 12050,
         reasons[0], till.doctor, approval.staff_id, "同意 Agreed", "张三", TODAY.isoformat(),
         cashier.staff_id)]
    # the payment stays as it was; the money out counts in the balance
    assert rows(desk, "SELECT amount FROM payments") == [(33000,)]
    assert balance(till, paid.patient) == recorded.balance_after == 12050
    entry = last_audit_entry(desk)
    assert (entry.action, entry.entity, entry.entity_id, entry.actor_id) == (
        "refund_recorded", "refund", recorded.refund_id, cashier.staff_id)
    assert entry.details["amount"] == 12050 and entry.details["payment_id"] == paid.payment
    assert rows(desk, "SELECT approved_by_id, reason FROM audit_entries ORDER BY id DESC "
                      "LIMIT 1") == [(approval.staff_id,
                                      "患者决定不做 The patient chose not to have it")]
    left = refundable(desk, paid.patient)
    assert [(p.payment_id, p.amount, p.maximum, p.method_id, p.doctor_id)
            for p in left.payments] == [(paid.payment, 33000, 20950, till.methods.card,
                                         till.doctor)]


def test_an_item_refund_takes_the_item_off_and_leaves_the_balance(
        till: Till, paid: Paid, reasons: list[int], approval: Approval) -> None:
    desk = till.clinic.desk
    recorded = refund(till, request_for(till, paid, reasons, "280", charge_id=paid.filling),
                      approval)
    assert recorded.balance_after == balance(till, paid.patient) == 0
    assert rows(desk, "SELECT description, quantity, unit_price, amount, reverses_charge_id, "
                      "doctor_id, visit_id FROM charges WHERE amount < 0") == [
        ("补牙", -1, 28000, -28000, paid.filling, till.doctor, paid.visit)]
    with desk.db.read() as session:
        totals = visit_totals(session, paid.visit)
    assert (totals.charged, totals.paid, totals.refunded, totals.balance) == (
        5000, 33000, 28000, 0)
    left = refundable(desk, paid.patient)
    assert [(i.charge_id, i.maximum) for i in left.items] == [(paid.exam, 5000)]
    assert rows(desk, "SELECT charge_id FROM refunds") == [(paid.filling,)]


def test_part_refunds_of_an_item_stop_at_what_is_left_of_it(
        till: Till, paid: Paid, reasons: list[int], approval: Approval) -> None:
    desk = till.clinic.desk
    refund(till, request_for(till, paid, reasons, "100", charge_id=paid.filling), approval)
    assert rows(desk, "SELECT quantity, amount FROM charges WHERE amount < 0") == [(0, -10000)]
    error = expect_field_error(desk, "amount", lambda: refund(
        till, request_for(till, paid, reasons, "180.01", charge_id=paid.filling), approval))
    assert "CN¥180.00" in error.errors["amount"]
    refund(till, request_for(till, paid, reasons, "180", charge_id=paid.filling), approval)
    assert rows(desk, "SELECT quantity, amount FROM charges WHERE amount < 0 ORDER BY id") == [
        (0, -10000), (-1, -18000)]
    expect_field_error(desk, "charge_id", lambda: refund(
        till, request_for(till, paid, reasons, "1", charge_id=paid.filling), approval))
    assert balance(till, paid.patient) == 0


def test_several_part_refunds_never_add_up_to_more_than_was_paid(
        till: Till, paid: Paid, reasons: list[int], approval: Approval) -> None:
    desk = till.clinic.desk
    for amount in ("100", "200", "29.99"):
        refund(till, request_for(till, paid, reasons, amount), approval)
    error = expect_field_error(desk, "amount", lambda: refund(
        till, request_for(till, paid, reasons, "0.02"), approval))
    assert error.errors["amount"] == "More than can be refunded: at most CN¥0.01."
    refund(till, request_for(till, paid, reasons, "0.01"), approval)
    assert rows(desk, "SELECT sum(amount) FROM refunds") == [(33000,)]
    error = expect_field_error(desk, "payment_id", lambda: refund(
        till, request_for(till, paid, reasons, "0.01"), approval))
    assert error.errors["payment_id"] == "This payment has already been refunded in full."
    assert refundable(desk, paid.patient).payments == ()
    assert [n for (n,) in rows(desk, "SELECT number FROM refunds ORDER BY id")] == [
        "00000001", "00000002", "00000003", "00000004"]  # refusals take no number


def test_a_repeated_key_returns_the_first_refund_and_writes_nothing(
        till: Till, paid: Paid, reasons: list[int], approval: Approval) -> None:
    request = request_for(till, paid, reasons, "50")
    first = refund(till, request, approval)
    before = dump(till.clinic.desk)
    again = refund(till, replace(request, amount_text="80"), approval)
    assert again.repeated and (again.refund_id, again.number, again.amount) == (
        first.refund_id, first.number, 5000)
    assert dump(till.clinic.desk) == before


def test_cash_paid_out_for_a_card_payment_needs_its_own_confirmation(
        till: Till, paid: Paid, reasons: list[int], approval: Approval) -> None:
    desk = till.clinic.desk
    cash_out = request_for(till, paid, reasons, method_id=till.methods.cash)
    error = expect_field_error(desk, "cash_out_confirmed", lambda: refund(till, cash_out, approval))
    assert "confirm" in error.errors["cash_out_confirmed"]
    expect_field_error(desk, "method_id", lambda: refund(
        till, replace(cash_out, method_id=till.methods.wechat, cash_out_confirmed=True),
        approval))
    refund(till, replace(cash_out, cash_out_confirmed=True), approval)
    assert rows(desk, "SELECT method_id FROM refunds") == [(till.methods.cash,)]


def test_a_cash_payment_is_refunded_in_cash_without_asking(
        till: Till, reasons: list[int], approval: Approval) -> None:
    paid = paid_visit(till, "cash")
    refund(till, request_for(till, paid, reasons), approval)
    assert rows(till.clinic.desk, "SELECT method_id FROM refunds") == [(till.methods.cash,)]


def test_check_refund_says_the_maximum_and_the_balance_and_writes_nothing(
        till: Till, paid: Paid, reasons: list[int]) -> None:
    desk, cashier = till.clinic.desk, till.clinic.cashier
    before = dump(desk)
    amount = check_refund(desk, cashier, request_for(till, paid, reasons, "30"))
    assert (amount.amount, amount.maximum, amount.method_id, amount.balance_after) == (
        3000, 33000, till.methods.card, 3000)
    item = check_refund(desk, cashier, request_for(till, paid, reasons, "30",
                                                   charge_id=paid.exam))
    assert (item.maximum, item.balance_after) == (5000, 0)
    assert dump(desk) == before


# --- bad input: a clear message at its field, nothing written --------------------------------

BAD_FIELDS: dict[str, tuple[str, Callable[[Till, Paid, list[int]], dict[str, object]]]] = {
    "no-detail": ("reason_detail", lambda t, p, r: {"reason_detail": "   "}),
    "zero": ("amount", lambda t, p, r: {"amount_text": "0"}),
    "negative": ("amount", lambda t, p, r: {"amount_text": "-10"}),
    "not-a-number": ("amount", lambda t, p, r: {"amount_text": "ten"}),
    "over-the-maximum": ("amount", lambda t, p, r: {"amount_text": "330.01"}),
    "no-payment": ("payment_id", lambda t, p, r: {"payment_id": None}),
    "no-reason": ("reason_id", lambda t, p, r: {"reason_id": None}),
    "no-doctor": ("doctor_id", lambda t, p, r: {"doctor_id": None}),
    "not-a-doctor": ("doctor_id", lambda t, p, r: {"doctor_id": 1}),
    "no-opinion": ("opinion", lambda t, p, r: {"opinion": ""}),
    "no-receiver": ("receiver_name", lambda t, p, r: {"receiver_name": " "}),
    "someone-else-receives": ("receiver_name", lambda t, p, r: {"receiver_name": "李四"}),
    "detail-too-long": ("reason_detail", lambda t, p, r: {"reason_detail": "x" * 501}),
    "item-of-another-visit": ("charge_id", lambda t, p, r: {"charge_id": other_visit_item(t, p)}),
}


def other_visit_item(till: Till, paid: Paid) -> int:
    """An item of the same patient on a later visit, which the chosen payment did not pay."""
    till.finish(paid.visit)
    return till.charge(till.visit(paid.patient), till.items.gauze)


@pytest.mark.parametrize("case", sorted(BAD_FIELDS))
def test_bad_input_is_refused_at_its_field(till: Till, paid: Paid, reasons: list[int],
                                           approval: Approval, case: str) -> None:
    field, changes = BAD_FIELDS[case]
    request = request_for(till, paid, reasons, **changes(till, paid, reasons))
    expect_field_error(till.clinic.desk, field, lambda: refund(till, request, approval))
    with pytest.raises(ValidationError) as checked:
        check_refund(till.clinic.desk, till.clinic.cashier, request)
    assert field in checked.value.errors


def test_an_over_the_maximum_message_shows_the_maximum(
        till: Till, paid: Paid, reasons: list[int], approval: Approval) -> None:
    error = expect_field_error(till.clinic.desk, "amount", lambda: refund(
        till, request_for(till, paid, reasons, "1000"), approval))
    assert error.errors["amount"] == "More than can be refunded: at most CN¥330.00."


def test_another_patients_payment_or_an_inactive_reason_is_refused(
        till: Till, paid: Paid, reasons: list[int], approval: Approval) -> None:
    desk = till.clinic.desk
    other = paid_visit(till, name="李四")
    expect_field_error(desk, "payment_id", lambda: refund(
        till, request_for(till, paid, reasons, payment_id=other.payment), approval))
    expect_field_error(desk, "charge_id", lambda: refund(
        till, request_for(till, paid, reasons, charge_id=other.filling), approval))
    first = catalog.list_refund_reasons(desk)[0]
    catalog.save_refund_reason(desk, till.clinic.manager, first.id, first.name, active=False)
    expect_field_error(desk, "reason_id", lambda: refund(
        till, request_for(till, paid, reasons), approval))


def test_a_payment_or_an_item_the_correction_register_reversed_has_nothing_left(
        till: Till, paid: Paid, reasons: list[int], approval: Approval) -> None:
    desk, cashier = till.clinic.desk, till.clinic.cashier
    for kind, entry in ((EntryKind.CHARGE, paid.exam), (EntryKind.PAYMENT, paid.payment)):
        correct_entry(desk, cashier, CorrectionRequest(
            kind, entry, "posted twice", "double click", "reversed"), approval)
    assert refundable(desk, paid.patient).payments == ()
    error = expect_field_error(desk, "payment_id", lambda: refund(
        till, request_for(till, paid, reasons, charge_id=paid.exam), approval))
    assert error.errors == {
        "payment_id": "This payment was reversed by a correction: nothing is left to refund.",
        "charge_id": "This item was reversed by a correction: nothing is left to refund."}


def test_without_approval_nothing_is_written(till: Till, paid: Paid,
                                            reasons: list[int]) -> None:
    expect_field_error(till.clinic.desk, "approval",
                       lambda: refund(till, request_for(till, paid, reasons), None))


def test_only_a_managers_approval_counts(till: Till, paid: Paid, reasons: list[int]) -> None:
    """An approval object naming a cashier (not what `approve` gives) is refused too."""
    cashier_says_yes = Approval(till.clinic.cashier.staff_id, "Sun Meiling",
                                till.clinic.clock.now())
    expect_denied(till.clinic.desk, lambda: refund(
        till, request_for(till, paid, reasons), cashier_says_yes))
    with pytest.raises(PermissionDenied):
        approve(till.clinic.desk, *CASHIER_LOGIN)


def test_a_user_without_the_permission_records_nothing(
        till: Till, paid: Paid, reasons: list[int], approval: Approval) -> None:
    desk, receptionist = till.clinic.desk, till.clinic.receptionist
    expect_denied(desk, lambda: record_refund(desk, receptionist,
                                              request_for(till, paid, reasons), approval))
    expect_denied(desk, lambda: check_refund(desk, receptionist,
                                             request_for(till, paid, reasons)))


def test_nothing_is_refunded_into_a_closed_day(till: Till, paid: Paid, reasons: list[int],
                                              approval: Approval) -> None:
    close_day(till)
    before = dump(till.clinic.desk)
    with pytest.raises(DayClosed):
        refund(till, request_for(till, paid, reasons), approval)
    with pytest.raises(DayClosed):
        check_refund(till.clinic.desk, till.clinic.cashier, request_for(till, paid, reasons))
    assert dump(till.clinic.desk) == before


@pytest.mark.parametrize("key", ["", "  ", "k" * 65])
def test_a_refund_needs_a_usable_key(till: Till, paid: Paid, reasons: list[int],
                                     approval: Approval, key: str) -> None:
    before = dump(till.clinic.desk)
    with pytest.raises(ValueError):
        refund(till, request_for(till, paid, reasons, idempotency_key=key), approval)
    assert dump(till.clinic.desk) == before


# --- two desks at the same moment -------------------------------------------------------------

def at_once(actions: list[Callable[[], object]]) -> list[object]:
    """Run each action on its own thread, all released at the same instant; what each
    returned, or the ValidationError it raised."""
    barrier = threading.Barrier(len(actions))
    outcomes: list[object] = []

    def run(action: Callable[[], object]) -> None:
        barrier.wait()
        try:
            outcomes.append(action())
        except ValidationError as error:
            outcomes.append(error)

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_two_cashiers_refunding_one_payment_at_once_never_pay_out_more(
        till: Till, reasons: list[int], approval: Approval) -> None:
    """Each desk has its own connection to the file and asks for 200.00 of a 330.00 payment
    at the same instant, round after round: one refund is made, the other refused with what
    is left, and the refunds never add up to more than the payment."""
    clinic = till.clinic
    desks = [clinic.desk, open_clinic(clinic.path, clock=clinic.clock)]
    try:
        for _round in range(6):
            paid = paid_visit(till)
            requests = [request_for(till, paid, reasons, "200") for _desk in desks]
            outcomes = at_once([lambda d=d, r=r: record_refund(d, clinic.cashier, r, approval)
                                for d, r in zip(desks, requests)])
            refused = [o for o in outcomes if isinstance(o, ValidationError)]
            assert len(outcomes) == 2 and len(refused) == 1, outcomes
            assert refused[0].errors == {
                "amount": "More than can be refunded: at most CN¥130.00."}
            assert rows(clinic.desk, "SELECT sum(amount) FROM refunds WHERE payment_id = ?",
                        paid.payment) == [(20000,)]
    finally:
        desks[1].db.dispose()
    numbers = [n for (n,) in rows(clinic.desk, "SELECT number FROM refunds ORDER BY id")]
    assert numbers == [f"{n:08d}" for n in range(1, 7)]


# --- the register, the slip and the patient's history -----------------------------------------

def test_the_register_has_every_column_and_filters_by_days_doctor_and_reason(
        till: Till, reasons: list[int], approval: Approval) -> None:
    desk, clock = till.clinic.desk, till.clinic.clock
    first = paid_visit(till)
    refund(till, request_for(till, first, reasons, "80", charge_id=first.filling), approval)
    clock.advance(days=7)  # next Monday, when the doctors work
    second = paid_visit(till, "wechat", name="王五")
    till.pay(second.patient, None, till.cash("100.00"), deposit=True)  # counts as paid
    refund(till, request_for(till, second, reasons, "30", receiver_name="王五",
                             reason_id=reasons[1], doctor_id=till.other_doctor), approval)
    register = refund_register(desk, TODAY, NEXT_WEEK)
    assert [r.number for r in register] == ["00000001", "00000002"]
    row = register[0]
    assert (row.patient_name, row.first_visit, row.total_paid, row.amount, row.item) == (
        "张三", TODAY, 33000, 8000, "补牙")
    assert (row.doctor_name, row.manager_name, row.opinion, row.cashier_name,
            row.receiver_name) == ("李建国", "Zhou Min", "同意 Agreed", "Sun Meiling", "张三")
    assert (row.method_name, row.is_cash, row.receipt_number) == ("银行卡", False, "00000001")
    assert row.refunded_at == clock.now() - timedelta(days=7)
    assert row.reason == catalog.list_refund_reasons(desk)[0].name
    assert row.reason_detail == "患者决定不做 The patient chose not to have it"
    later = register[1]
    assert (later.business_date, later.first_visit, later.total_paid, later.item,
            later.doctor_name) == (NEXT_WEEK, NEXT_WEEK, 43000,
                                   "", "王丽")
    assert [r.number for r in refund_register(desk, TODAY, TODAY)] == ["00000001"]
    assert [r.number for r in refund_register(desk, NEXT_WEEK,
                                              NEXT_WEEK + timedelta(days=2))] == ["00000002"]
    assert [r.number for r in refund_register(desk, TODAY, NEXT_WEEK,
                                              doctor_id=till.other_doctor)] == ["00000002"]
    assert [r.number for r in refund_register(desk, TODAY, NEXT_WEEK,
                                              reason_id=reasons[0])] == ["00000001"]
    assert refund_register(desk, TODAY + timedelta(days=1), NEXT_WEEK - timedelta(days=1)) == []


def test_the_slip_is_the_original_once_and_then_copies(
        till: Till, paid: Paid, reasons: list[int], approval: Approval) -> None:
    desk, cashier = till.clinic.desk, till.clinic.cashier
    recorded = refund(till, request_for(till, paid, reasons, "120"), approval)
    slip = refund_slip_data(desk, recorded.refund_id)
    assert (slip.prints, slip.refund.number, slip.refund.amount, slip.clinic.clinic_name) == (
        0, "00000001", 12000, "Bright Smile Dental")
    assert record_print(desk, cashier, recorded.refund_id, " CUPS-PDF ") == 0
    assert record_print(desk, cashier, recorded.refund_id, "CUPS-PDF") == 1
    assert refund_slip_data(desk, recorded.refund_id).prints == 2
    assert rows(desk, "SELECT refund_id, receipt_id, copy_number, printer_name, printed_by_id "
                      "FROM document_prints ORDER BY id") == [
        (recorded.refund_id, None, 0, "CUPS-PDF", cashier.staff_id),
        (recorded.refund_id, None, 1, "CUPS-PDF", cashier.staff_id)]
    assert last_audit_entry(desk).action == "refund_slip_printed"
    expect_denied(desk, lambda: record_print(desk, till.clinic.receptionist,
                                             recorded.refund_id, "CUPS-PDF"))
    with pytest.raises(NotFound):
        refund_slip_data(desk, recorded.refund_id + 1)


def test_the_refund_shows_on_the_patients_history(
        till: Till, paid: Paid, reasons: list[int], approval: Approval) -> None:
    till.clinic.clock.advance(minutes=30)
    refund(till, request_for(till, paid, reasons, "45", charge_id=paid.exam), approval)
    history = patient_history(till.clinic.desk, paid.patient)
    assert [h.action for h in history] == ["refund_recorded", "patient_registered"]
    entry = history[0]
    assert (entry.at, entry.who, entry.reason) == (
        till.clinic.clock.now(), "Sun Meiling", "患者决定不做 The patient chose not to have it")
    assert entry.changes == {"number": "00000001", "amount": 4500,
                             "reason": catalog.list_refund_reasons(till.clinic.desk)[0].name,
                             "item": "口腔检查", "doctor": "李建国", "approved_by": "Zhou Min"}


def test_a_doctor_who_left_can_no_longer_state_a_reason(
        till: Till, paid: Paid, reasons: list[int], approval: Approval) -> None:
    manager = till.clinic.manager
    gone = add_staff(till.clinic.desk, manager, StaffForm(
        staff_number="D09", full_name="离职医生", sex=Sex.MALE, roles=frozenset({Role.DOCTOR}),
        active=False))
    expect_field_error(till.clinic.desk, "doctor_id", lambda: refund(
        till, request_for(till, paid, reasons, doctor_id=gone), approval))

