"""The cash desk through the database: charges, discounts, payments and their receipts,
and everything it refuses to write."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import partial
from datetime import timedelta

import pytest

from clinic_desk.models import DayClosing, DayReopening, VisitState
from clinic_desk.services.auth import Approval, approve
from clinic_desk.services.cashdesk import (ApprovalNeeded, ChargeLine, PaymentPart,
                                           PaymentRequest, ReferenceAlreadyUsed, add_charges,
                                           add_discount, patient_balance, post_payment)
from clinic_desk.services.errors import DayClosed, PermissionDenied

from tests.clinics import CASHIER_LOGIN, MANAGER_LOGIN, START
from .cash import Till, new_key
from .helpers import TODAY, dump, expect_denied, expect_field_error, last_audit_entry, rows


def charges_of(till: Till, visit_id: int) -> list[tuple[object, ...]]:
    return rows(till.clinic.desk,
                "SELECT price_item_id, description, quantity, unit_price, amount, doctor_id, "
                "position_note, business_date, created_by_id FROM charges WHERE visit_id = ? "
                "ORDER BY id", visit_id)


def discounts_of(till: Till, visit_id: int) -> list[tuple[object, ...]]:
    return rows(till.clinic.desk,
                "SELECT amount, percent_basis_points, reason, approved_by_id, created_by_id "
                "FROM discounts WHERE visit_id = ? ORDER BY id", visit_id)


def payments_of(till: Till, patient_id: int) -> list[tuple[object, ...]]:
    return rows(till.clinic.desk,
                "SELECT receipt_id, method_id, amount, tendered, change_given, card_type, "
                "card_last4, reference, is_deposit, visit_id FROM payments WHERE patient_id = ? "
                "ORDER BY id", patient_id)


def visit_state(till: Till, visit_id: int) -> str:
    return rows(till.clinic.desk, "SELECT state FROM visits WHERE id = ?", visit_id)[0][0]


def balance(till: Till, patient_id: int) -> int:
    return patient_balance(till.clinic.desk, patient_id)


# --- charges ------------------------------------------------------------------------------------

def test_charges_take_the_price_the_quantity_and_the_visits_doctor(till: Till, patient: int,
                                                                   visit: int) -> None:
    desk, cashier = till.clinic.desk, till.clinic.cashier
    ids = add_charges(desk, cashier, visit, [
        ChargeLine(till.items.filling, 2, position_note=" 16, 17 "),
        ChargeLine(till.items.gauze, 3, doctor_id=till.other_doctor)])
    assert len(ids) == 2
    assert charges_of(till, visit) == [
        (till.items.filling, "补牙", 2, 28000, 56000, till.doctor, "16, 17", TODAY.isoformat(),
         cashier.staff_id),
        (till.items.gauze, "纱布", 3, 350, 1050, till.other_doctor, "", TODAY.isoformat(),
         cashier.staff_id)]
    categories = rows(desk, "SELECT c.category_id = p.category_id FROM charges c "
                            "JOIN price_list_items p ON p.id = c.price_item_id")
    assert categories == [(1,), (1,)]
    assert balance(till, patient) == 57050
    entry = last_audit_entry(desk)
    assert (entry.action, entry.entity, entry.entity_id, entry.actor_id) == (
        "charge_added", "charge", ids[1], cashier.staff_id)
    assert entry.details["amount"] == 1050 and entry.details["quantity"] == 3


@pytest.mark.parametrize("line, field", [
    (lambda t: ChargeLine(t.items.retired), "lines.0.item"),
    (lambda t: ChargeLine(999_999), "lines.0.item"),
    (lambda t: ChargeLine(t.items.exam, 0), "lines.0.quantity"),
    (lambda t: ChargeLine(t.items.exam, -1), "lines.0.quantity"),
    (lambda t: ChargeLine(t.items.exam, 1000), "lines.0.quantity"),
    (lambda t: ChargeLine(t.items.exam, position_note="x" * 101), "lines.0.position_note"),
], ids=["inactive-item", "unknown-item", "zero", "negative", "too-many", "long-note"])
def test_a_bad_charge_line_is_refused_at_its_field_and_nothing_is_written(
        till: Till, visit: int, line: Callable[[Till], ChargeLine], field: str) -> None:
    desk, cashier = till.clinic.desk, till.clinic.cashier
    expect_field_error(desk, field, lambda: add_charges(desk, cashier, visit, [line(till)]))
    # a good line next to the bad one is not written either
    error = expect_field_error(desk, field.replace(".0.", ".1."), lambda: add_charges(
        desk, cashier, visit, [ChargeLine(till.items.exam), line(till)]))
    assert list(error.errors) == [field.replace(".0.", ".1.")]


def test_charging_nothing_is_refused(till: Till, visit: int) -> None:
    expect_field_error(till.clinic.desk, "lines",
                       lambda: add_charges(till.clinic.desk, till.clinic.cashier, visit, []))


def test_a_receptionist_may_not_charge_discount_or_take_money(till: Till, patient: int,
                                                              visit: int) -> None:
    till.charge(visit, till.items.exam)
    desk, receptionist = till.clinic.desk, till.clinic.receptionist
    expect_denied(desk, lambda: add_charges(desk, receptionist, visit,
                                            [ChargeLine(till.items.exam)]))
    expect_denied(desk, lambda: add_discount(desk, receptionist, visit, percent=5,
                                             reason="friend"))
    expect_denied(desk, lambda: post_payment(desk, receptionist, PaymentRequest(
        patient, visit, (till.cash("50.00"),), new_key())))
    assert rows(desk, "SELECT count(*) FROM payments") == [(0,)]


# --- discounts ----------------------------------------------------------------------------------

def test_a_percentage_discount_within_the_limit_needs_no_approval(till: Till, patient: int,
                                                                  visit: int) -> None:
    till.charge(visit, till.items.filling)  # 280.00
    discount_id = add_discount(till.clinic.desk, till.clinic.cashier, visit, percent=10,
                               reason=" 老顾客 ")
    assert discounts_of(till, visit) == [(2800, 1000, "老顾客", None, till.clinic.cashier.staff_id)]
    assert balance(till, patient) == 25200
    entry = last_audit_entry(till.clinic.desk)
    assert (entry.action, entry.entity_id, entry.details["amount"]) == (
        "discount_added", discount_id, 2800)


def test_an_amount_discount_within_the_limit_needs_no_approval(till: Till, patient: int,
                                                               visit: int) -> None:
    till.charge(visit, till.items.filling)
    add_discount(till.clinic.desk, till.clinic.cashier, visit, amount_text="28.00",
                 reason="rounding")
    assert discounts_of(till, visit) == [(2800, None, "rounding", None,
                                          till.clinic.cashier.staff_id)]
    assert balance(till, patient) == 25200


@pytest.mark.parametrize("kind", ["percent", "amount"])
def test_a_discount_above_the_limit_waits_for_a_manager(till: Till, patient: int, visit: int,
                                                        kind: str) -> None:
    till.charge(visit, till.items.filling)
    desk, cashier = till.clinic.desk, till.clinic.cashier
    values: dict[str, object] = ({"percent": 11} if kind == "percent"
                                 else {"amount_text": "28.01"})
    before = dump(desk)
    with pytest.raises(ApprovalNeeded):
        add_discount(desk, cashier, visit, reason="family", **values)  # type: ignore[arg-type]
    assert dump(desk) == before

    approval = approve(desk, *MANAGER_LOGIN)
    add_discount(desk, cashier, visit, reason="family", approval=approval,
                 **values)  # type: ignore[arg-type]
    amount = 3080 if kind == "percent" else 2801
    (row,) = discounts_of(till, visit)
    assert row[0] == amount and row[3] == till.clinic.manager.staff_id
    assert balance(till, patient) == 28000 - amount
    assert rows(desk, "SELECT action, actor_id, approved_by_id, reason FROM audit_entries "
                      "ORDER BY id DESC LIMIT 1") == [
        ("discount_added", cashier.staff_id, till.clinic.manager.staff_id, "family")]


def test_only_a_manager_can_approve_a_discount(till: Till, visit: int) -> None:
    till.charge(visit, till.items.filling)
    desk, cashier = till.clinic.desk, till.clinic.cashier
    with pytest.raises(PermissionDenied):
        approve(desk, *CASHIER_LOGIN)
    not_a_manager = Approval(staff_id=cashier.staff_id, name=cashier.name, at=START)
    expect_denied(desk, lambda: add_discount(desk, cashier, visit, percent=50, reason="x",
                                             approval=not_a_manager))


def test_small_discounts_add_up_towards_the_limit(till: Till, visit: int) -> None:
    """Splitting a 30% discount into three of 10% must not get around the manager."""
    till.charge(visit, till.items.filling)  # 280.00, limit 10% = 28.00
    desk, cashier = till.clinic.desk, till.clinic.cashier
    add_discount(desk, cashier, visit, amount_text="20.00", reason="first")
    add_discount(desk, cashier, visit, amount_text="8.00", reason="second")  # 28.00: at the limit
    before = dump(desk)
    with pytest.raises(ApprovalNeeded):
        add_discount(desk, cashier, visit, amount_text="0.01", reason="third")
    assert dump(desk) == before


@pytest.mark.parametrize("values, field", [
    ({"amount_text": "280.01"}, "amount"),
    ({"amount_text": "0"}, "amount"),
    ({"amount_text": "-1"}, "amount"),
    ({"amount_text": "1.005"}, "amount"),
    ({"amount_text": "ten"}, "amount"),
    ({"percent": 0}, "percent"),
    ({"percent": 101}, "percent"),
], ids=["above-total", "zero", "negative", "three-decimals", "text", "0%", "101%"])
def test_a_bad_discount_is_refused_at_its_field(till: Till, visit: int,
                                                values: dict[str, object], field: str) -> None:
    till.charge(visit, till.items.filling)
    approval = approve(till.clinic.desk, *MANAGER_LOGIN)
    expect_field_error(till.clinic.desk, field, lambda: add_discount(
        till.clinic.desk, till.clinic.cashier, visit, reason="why not", approval=approval,
        **values))  # type: ignore[arg-type]


def test_a_discount_needs_a_reason_and_cannot_exceed_what_is_still_owed(
        till: Till, patient: int, visit: int) -> None:
    till.charge(visit, till.items.filling)
    desk, cashier = till.clinic.desk, till.clinic.cashier
    expect_field_error(desk, "reason", lambda: add_discount(desk, cashier, visit, percent=5,
                                                            reason="  "))
    till.pay(patient, visit, till.cash("270.00"))
    expect_field_error(desk, "amount", lambda: add_discount(
        desk, cashier, visit, amount_text="10.01", reason="late"))
    add_discount(desk, cashier, visit, amount_text="10.00", reason="late")
    assert balance(till, patient) == 0


def test_a_percentage_of_nothing_owed_is_refused_not_recorded_as_a_negative_discount(
        till: Till, patient: int) -> None:
    """A visit paid beyond its own charges (the patient settled older debt with it) owes
    nothing: a percentage of it must not write a zero or negative discount."""
    till.clinic.clock.set(START - timedelta(days=7))
    old = till.visit(patient)
    till.charge(old, till.items.filling)
    till.finish(old)
    till.clinic.clock.set(START)
    today = till.visit(patient)
    till.charge(today, till.items.exam)
    till.pay(patient, today, till.cash("330.00"))  # both visits paid at once
    desk = till.clinic.desk
    approval = approve(desk, *MANAGER_LOGIN)
    for percent in (10, 100):
        expect_field_error(desk, "percent", partial(
            add_discount, desk, till.clinic.cashier, today, percent=percent, reason="oops",
            approval=approval))
    # 1% of the 0.49 still owed rounds to nothing
    gauze = till.visit(till.patients.add("李四"))
    till.charge(gauze, till.items.gauze)  # 3.50
    till.pay(rows(desk, "SELECT patient_id FROM visits WHERE id = ?", gauze)[0][0], gauze,
             till.cash("3.01"))
    expect_field_error(desk, "percent", lambda: add_discount(
        desk, till.clinic.cashier, gauze, percent=1, reason="oops"))
    assert rows(desk, "SELECT count(*) FROM discounts") == [(0,)]


# --- payments -----------------------------------------------------------------------------------

def test_a_split_payment_with_change_from_cash(till: Till, patient: int, visit: int) -> None:
    till.charge(visit, till.items.filling)
    till.charge(visit, till.items.exam)  # 330.00 in all
    till.to_cashier(visit)
    posted = till.pay(patient, visit, till.cash("100.00", tendered="200"),
                      till.card("200.00", last4="8888", reference="POS-1"),
                      till.wechat("30.00", reference="WX-1"))
    assert (posted.receipt_number, posted.paid, posted.change, posted.balance_after,
            posted.repeated) == ("00000001", 33000, 10000, 0, False)
    assert len(posted.payment_ids) == 3
    m = till.methods
    assert payments_of(till, patient) == [
        (posted.receipt_id, m.cash, 10000, 20000, 10000, "", "", "", 0, visit),
        (posted.receipt_id, m.card, 20000, None, None, "UnionPay debit", "8888", "POS-1", 0, visit),
        (posted.receipt_id, m.wechat, 3000, None, None, "", "", "WX-1", 0, visit)]
    assert rows(till.clinic.desk, "SELECT number, patient_id, visit_id, total_charged, paid_today, "
                                  "balance_after, cashier_id FROM receipts") == [
        ("00000001", patient, visit, 33000, 33000, 0, till.clinic.cashier.staff_id)]
    assert balance(till, patient) == 0
    assert visit_state(till, visit) == VisitState.FINISHED
    entry = last_audit_entry(till.clinic.desk)
    assert (entry.action, entry.entity, entry.entity_id) == ("payment_posted", "receipt",
                                                            posted.receipt_id)
    assert entry.details["payments"] == [[m.cash, 10000], [m.card, 20000], [m.wechat, 3000]]


def test_less_cash_tendered_than_paid_is_refused(till: Till, patient: int, visit: int) -> None:
    till.charge(visit, till.items.exam)
    expect_field_error(till.clinic.desk, "parts.0.tendered",
                       lambda: till.pay(patient, visit, till.cash("50.00", tendered="49.99")))


def test_receipts_are_numbered_without_gaps(till: Till, patient: int, visit: int) -> None:
    """A refused payment takes no number: the next one gets the number it would have had."""
    till.charge(visit, till.items.crown)
    numbers = [till.pay(patient, visit, till.cash("100.00")).receipt_number]
    for refused, field in ((till.cash("5000.00"), "parts.0.amount"),
                           (till.card("10.00", last4=""), "parts.0.card_last4"),
                           (till.wechat("10.00", reference=""), "parts.0.reference")):
        expect_field_error(till.clinic.desk, field, partial(till.pay, patient, visit, refused))
    numbers.append(till.pay(patient, visit, till.alipay("100.00", reference="A-1"))
                   .receipt_number)
    before = dump(till.clinic.desk)
    with pytest.raises(ReferenceAlreadyUsed):
        till.pay(patient, visit, till.alipay("1.00", reference="A-1"))
    assert dump(till.clinic.desk) == before
    numbers.append(till.pay(patient, None, till.cash("1.00"), deposit=True).receipt_number)
    assert numbers == ["00000001", "00000002", "00000003"]
    assert rows(till.clinic.desk, "SELECT number FROM receipts ORDER BY id") == [
        (n,) for n in numbers]
    assert rows(till.clinic.desk, "SELECT last_value FROM counters WHERE name = 'receipt'") == \
        [(3,)]


def test_two_equal_payments_stay_two_rows(till: Till, patient: int, visit: int) -> None:
    till.charge(visit, till.items.filling)
    first = till.pay(patient, visit, till.cash("50.00"))
    second = till.pay(patient, visit, till.cash("50.00"))
    assert first.receipt_id != second.receipt_id
    assert [p[2] for p in payments_of(till, patient)] == [5000, 5000]
    assert balance(till, patient) == 18000


def test_a_part_payment_leaves_a_balance_and_the_visit_waiting(till: Till, patient: int,
                                                               visit: int) -> None:
    till.charge(visit, till.items.crown)  # 2,500.00
    till.to_cashier(visit)
    posted = till.pay(patient, visit, till.card("1000.00"))
    assert posted.balance_after == 150000 and balance(till, patient) == 150000
    assert visit_state(till, visit) == VisitState.TO_CASHIER
    posted = till.pay(patient, visit, till.cash("1500.00"))
    assert posted.balance_after == 0
    assert visit_state(till, visit) == VisitState.FINISHED


def test_paying_does_not_touch_a_visit_not_sent_to_the_cashier(till: Till, patient: int,
                                                               visit: int) -> None:
    till.charge(visit, till.items.exam)
    till.pay(patient, visit, till.cash("50.00"))
    assert visit_state(till, visit) == VisitState.OPEN


def test_a_deposit_is_kept_on_account_and_used_by_a_later_visit(till: Till, patient: int) -> None:
    posted = till.pay(patient, None, till.wechat("300.00"), deposit=True)
    assert posted.balance_after == -30000 and balance(till, patient) == -30000
    (payment,) = payments_of(till, patient)
    assert payment[8] == 1 and payment[9] is None  # is_deposit, no visit
    assert rows(till.clinic.desk, "SELECT visit_id, total_charged, balance_after FROM receipts") \
        == [(None, 0, -30000)]
    # nothing is due while the deposit covers everything
    expect_field_error(till.clinic.desk, "parts.0.amount",
                       lambda: till.pay(patient, None, till.cash("0.01")))

    visit = till.visit(patient)
    till.charge(visit, till.items.filling)
    till.charge(visit, till.items.exam)  # 330.00
    assert balance(till, patient) == 3000
    till.to_cashier(visit)
    expect_field_error(till.clinic.desk, "parts.0.amount",
                       lambda: till.pay(patient, visit, till.cash("30.01")))
    assert till.pay(patient, visit, till.cash("30.00")).balance_after == 0
    assert visit_state(till, visit) == VisitState.FINISHED


@pytest.mark.parametrize("part, field", [
    (lambda t: t.cash("12.345"), "parts.0.amount"),
    (lambda t: t.cash("-5.00"), "parts.0.amount"),
    (lambda t: t.cash("0"), "parts.0.amount"),
    (lambda t: t.cash("0.00"), "parts.0.amount"),
    (lambda t: t.cash("abc"), "parts.0.amount"),
    (lambda t: t.cash(""), "parts.0.amount"),
    (lambda t: t.cash("330.01"), "parts.0.amount"),
    (lambda t: t.card("330.01"), "parts.0.amount"),
    (lambda t: t.wechat("1000"), "parts.0.amount"),
    (lambda t: t.cash("10.00", tendered="lots"), "parts.0.tendered"),
    (lambda t: t.card("10.00", last4=""), "parts.0.card_last4"),
    (lambda t: t.card("10.00", last4="123"), "parts.0.card_last4"),
    (lambda t: t.card("10.00", last4="12a4"), "parts.0.card_last4"),
    (lambda t: t.card("10.00", card_type=" "), "parts.0.card_type"),
    (lambda t: t.card("10.00", reference=""), "parts.0.reference"),
    (lambda t: t.wechat("10.00", reference="  "), "parts.0.reference"),
    (lambda t: t.alipay("10.00", reference=""), "parts.0.reference"),
    (lambda t: PaymentPart(999, "10.00"), "parts.0.method"),
], ids=["three-decimals", "negative", "zero", "zero-decimals", "text", "empty", "above-due",
        "card-above-due", "wechat-above-due", "tendered-text", "no-last4", "short-last4",
        "letters-in-last4", "no-card-type", "card-no-reference", "wechat-no-reference",
        "alipay-no-reference", "unknown-method"])
def test_bad_payment_input_is_refused_at_its_field_and_nothing_is_posted(
        till: Till, patient: int, visit: int, part: Callable[[Till], PaymentPart],
        field: str) -> None:
    till.charge(visit, till.items.filling)
    till.charge(visit, till.items.exam)  # 330.00
    key = new_key()
    expect_field_error(till.clinic.desk, field,
                       lambda: till.pay(patient, visit, part(till), key=key))
    # the refused key is not used up: the corrected payment posts under it
    assert till.pay(patient, visit, till.cash("1.00"), key=key).receipt_number == "00000001"


def test_a_split_payment_above_the_amount_due_is_refused_at_the_part_that_goes_over(
        till: Till, patient: int, visit: int) -> None:
    till.charge(visit, till.items.filling)
    till.charge(visit, till.items.exam)  # 330.00
    error = expect_field_error(till.clinic.desk, "parts.2.amount", lambda: till.pay(
        patient, visit, till.cash("300.00"), till.wechat("30.00"), till.card("0.01")))
    assert list(error.errors) == ["parts.2.amount"]


def test_a_payment_with_no_parts_is_refused(till: Till, patient: int, visit: int) -> None:
    till.charge(visit, till.items.exam)
    expect_field_error(till.clinic.desk, "parts", lambda: till.pay(patient, visit))


def test_a_reused_reference_is_a_warning_the_cashier_can_overrule(till: Till, patient: int,
                                                                  visit: int) -> None:
    till.charge(visit, till.items.crown)
    till.pay(patient, visit, till.wechat("10.00", reference="4200001234"))
    desk = till.clinic.desk
    before = dump(desk)
    with pytest.raises(ReferenceAlreadyUsed) as info:
        till.pay(patient, visit, till.cash("5.00"), till.wechat("10.00", reference="4200001234"))
    assert "4200001234" in info.value.message
    assert dump(desk) == before
    # the same number from another method is another transaction
    till.pay(patient, visit, till.alipay("10.00", reference="4200001234"))
    posted = till.pay(patient, visit, till.wechat("10.00", reference="4200001234"),
                      accept_reused_reference=True)
    assert posted.receipt_number == "00000003"
    assert rows(desk, "SELECT count(*) FROM payments WHERE reference = '4200001234'") == [(3,)]


def test_the_same_key_posted_twice_gives_the_first_posting(till: Till, patient: int,
                                                           visit: int) -> None:
    till.charge(visit, till.items.filling)
    parts = (till.cash("100.00", tendered="100.50"), till.card("50.00"))
    first = till.pay(patient, visit, *parts, key="client-0001")
    before = dump(till.clinic.desk)
    again = till.pay(patient, visit, *parts, key="client-0001")
    assert again == replace(first, repeated=True)
    assert dump(till.clinic.desk) == before
    assert balance(till, patient) == 13000


@pytest.mark.parametrize("other", ["CLIENT-0001", "client-000", "client_0001", "client-0001:0",
                                   "client%"])
def test_only_the_very_same_key_is_a_repeat(till: Till, patient: int, visit: int,
                                            other: str) -> None:
    """Keys are compared exactly: not by prefix, case or wildcard."""
    till.charge(visit, till.items.filling)
    first = till.pay(patient, visit, till.cash("10.00"), key="client-0001")
    second = till.pay(patient, visit, till.cash("10.00"), key=other)
    assert not second.repeated and second.receipt_id != first.receipt_id
    assert balance(till, patient) == 26000


def test_a_repeat_is_found_even_after_the_day_was_closed(till: Till, patient: int,
                                                         visit: int) -> None:
    till.charge(visit, till.items.exam)
    first = till.pay(patient, visit, till.cash("50.00"), key="retry-me")
    close_day(till)
    assert till.pay(patient, visit, till.cash("50.00"), key="retry-me").receipt_id == \
        first.receipt_id


@pytest.mark.parametrize("key", ["", "   ", "k" * 41])
def test_a_payment_needs_a_usable_key(till: Till, patient: int, visit: int, key: str) -> None:
    till.charge(visit, till.items.exam)
    before = dump(till.clinic.desk)
    with pytest.raises(ValueError):
        post_payment(till.clinic.desk, till.clinic.cashier,
                     PaymentRequest(patient, visit, (till.cash("1.00"),), key))
    assert dump(till.clinic.desk) == before


# --- the closed day -----------------------------------------------------------------------------

def close_day(till: Till, day=TODAY) -> int:  # type: ignore[no-untyped-def]
    clinic = till.clinic
    with clinic.desk.db.write() as session:
        number = f"C{day:%Y%m%d}-{session.query(DayClosing).count() + 1}"
        closing = DayClosing(
            number=number, business_date=day, opening_float=0, cash_taken=0, cash_refunded=0,
            expected_cash=0, counted_cash=0, difference=0, closed_at=clinic.clock.now(),
            closed_by_id=clinic.cashier.staff_id)
        session.add(closing)
        session.flush()
        return closing.id


def reopen_day(till: Till, closing_id: int) -> None:
    clinic = till.clinic
    with clinic.desk.db.write() as session:
        session.add(DayReopening(closing_id=closing_id, reopened_by_id=clinic.manager.staff_id,
                                 reopened_at=clinic.clock.now(), reason="late payment"))


def test_nothing_is_posted_into_a_closed_day_until_it_is_reopened(till: Till, patient: int,
                                                                  visit: int) -> None:
    till.charge(visit, till.items.filling)
    close_day(till, TODAY - timedelta(days=1))  # yesterday's closing does not matter
    till.pay(patient, visit, till.cash("10.00"))
    closing = close_day(till)
    desk, cashier = till.clinic.desk, till.clinic.cashier
    before = dump(desk)
    for action in (lambda: till.pay(patient, visit, till.cash("10.00")),
                   lambda: till.pay(patient, None, till.cash("10.00"), deposit=True),
                   lambda: till.charge(visit, till.items.exam),
                   lambda: add_discount(desk, cashier, visit, percent=5, reason="x")):
        with pytest.raises(DayClosed):
            action()
        assert dump(desk) == before
    reopen_day(till, closing)
    assert till.pay(patient, visit, till.cash("10.00")).receipt_number == "00000002"
    till.charge(visit, till.items.exam)
    # closed again: a new closing of the same day
    with till.clinic.desk.db.write() as session:
        session.add(DayClosing(
            number="again", business_date=TODAY, version=2, supersedes_id=closing,
            opening_float=0, cash_taken=0, cash_refunded=0, expected_cash=0, counted_cash=0,
            difference=0, closed_at=till.clinic.clock.now(), closed_by_id=cashier.staff_id))
    with pytest.raises(DayClosed):
        till.pay(patient, visit, till.cash("10.00"))


def test_the_business_day_is_the_clinics_local_day(till: Till, patient: int,
                                                   visit: int) -> None:
    """23:30 in Shanghai is 15:30 UTC the same day; 00:30 is already the next day."""
    till.charge(visit, till.items.crown)
    close_day(till)
    clock = till.clinic.clock
    clock.set(START + timedelta(hours=13, minutes=30))  # 23:30 local, still the closed day
    with pytest.raises(DayClosed):
        till.pay(patient, visit, till.cash("10.00"))
    clock.set(START + timedelta(hours=14, minutes=30))  # 00:30 local, the next day
    till.pay(patient, visit, till.cash("10.00"))
    assert rows(till.clinic.desk, "SELECT business_date FROM payments") == [
        ((TODAY + timedelta(days=1)).isoformat(),)]
