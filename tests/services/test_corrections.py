"""The correction register through the database: every kind of correction, the balances and
receipts after it, the register query, and every refusal leaving the file as it was."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from clinic_desk.models import Charge, Refund
from clinic_desk.printing.posted_receipt import receipt_document
from clinic_desk.services import catalog
from clinic_desk.services.audit import verify_chain
from clinic_desk.services.auth import Approval, approve
from clinic_desk.services.cashdesk import ApprovalNeeded, ReferenceAlreadyUsed, add_discount
from clinic_desk.services.context import Actor
from clinic_desk.services.corrections import (ChargeEntry, CorrectionRequest, EntryKind,
                                              PaymentEntry, PostedCorrection, RightCharge,
                                              RightDiscount, RightPayment, correct_entry,
                                              describe_entry, list_corrections, patient_entries,
                                              patient_visits)
from clinic_desk.services.errors import DayClosed, NotFound
from clinic_desk.services.ledger import Totals, patient_totals, visit_totals
from clinic_desk.services.receipts import receipt_data

from tests.clinics import MANAGER_LOGIN
from .cash import Till, new_key
from .helpers import TODAY, dump, expect_denied, expect_field_error, last_audit_entry, rows
from .test_cashdesk import close_day, reopen_day


@pytest.fixture
def approval(till: Till) -> Approval:
    return approve(till.clinic.desk, *MANAGER_LOGIN)


def request(kind: EntryKind, entry_id: int, right: object = None,
            **changes: object) -> CorrectionRequest:
    texts: dict[str, object] = {
        "what_was_wrong": "收现金，实为微信支付", "reason": "收费员选错了支付方式",
        "how_corrected": "冲销原记录，按正确方式重新登记"}
    texts.update(changes)
    return CorrectionRequest(kind, entry_id, right=right, **texts)  # type: ignore[arg-type]


def correct(till: Till, approval: Approval | None, kind: EntryKind, entry_id: int,
            right: object = None, actor: Actor | None = None,
            **changes: object) -> PostedCorrection:
    return correct_entry(till.clinic.desk, actor or till.clinic.cashier,
                         request(kind, entry_id, right, **changes), approval)


def totals(till: Till, *, patient: int | None = None, visit: int | None = None) -> Totals:
    with till.clinic.desk.db.read() as session:
        if visit is not None:
            return visit_totals(session, visit)
        assert patient is not None
        return patient_totals(session, patient)


def balance(till: Till, patient: int) -> int:
    return totals(till, patient=patient).balance


def payment_row(till: Till, payment_id: int) -> tuple[object, ...]:
    (row,) = rows(till.clinic.desk,
                  "SELECT patient_id, visit_id, receipt_id, method_id, amount, card_type, "
                  "card_last4, reference, is_deposit, business_date, reverses_payment_id, "
                  "correction_id FROM payments WHERE id = ?", payment_id)
    return row


def receipt_row(till: Till, receipt_id: int) -> tuple[object, ...]:
    (row,) = rows(till.clinic.desk,
                  "SELECT number, patient_id, visit_id, total_charged, paid_today, balance_after "
                  "FROM receipts WHERE id = ?", receipt_id)
    return row


def charge_row(till: Till, charge_id: int) -> tuple[object, ...]:
    (row,) = rows(till.clinic.desk,
                  "SELECT price_item_id, description, quantity, unit_price, amount, doctor_id, "
                  "position_note, reverses_charge_id, correction_id FROM charges WHERE id = ?",
                  charge_id)
    return row


def discount_row(till: Till, discount_id: int) -> tuple[object, ...]:
    (row,) = rows(till.clinic.desk,
                  "SELECT amount, reason, approved_by_id, reverses_discount_id, correction_id "
                  "FROM discounts WHERE id = ?", discount_id)
    return row


# --- payments -------------------------------------------------------------------------------------

def test_a_payment_taken_by_the_wrong_method_is_reversed_and_posted_again(
        till: Till, patient: int, visit: int, approval: Approval) -> None:
    till.charge(visit, till.items.filling)  # 280.00
    paid = till.pay(patient, visit, till.cash("280.00"))
    (wrong_id,) = paid.payment_ids
    receipt_before = receipt_row(till, paid.receipt_id)

    done = correct(till, approval, EntryKind.PAYMENT, wrong_id, RightPayment(
        patient, visit, till.methods.wechat, "280.00", reference=" WX-4200 "))

    cash, wechat = till.methods.cash, till.methods.wechat
    assert payment_row(till, wrong_id) == (patient, visit, paid.receipt_id, cash, 28000, "", "",
                                           "", 0, TODAY.isoformat(), None, None)
    assert payment_row(till, done.reversal_id) == (patient, visit, None, cash, -28000, "", "",
                                                   "", 0, TODAY.isoformat(), wrong_id,
                                                   done.correction_id)
    assert done.right_id is not None and done.receipt_id is not None
    assert payment_row(till, done.right_id) == (patient, visit, done.receipt_id, wechat, 28000,
                                                "", "", "WX-4200", 0, TODAY.isoformat(), None,
                                                done.correction_id)
    # the wrong receipt stays as printed; the right payment has a receipt of its own
    assert receipt_row(till, paid.receipt_id) == receipt_before
    assert receipt_row(till, done.receipt_id) == (
        f"{int(paid.receipt_number) + 1:08d}", patient, visit, 28000, 28000, 0)
    assert done.receipt_number == f"{int(paid.receipt_number) + 1:08d}"
    assert balance(till, patient) == 0
    assert totals(till, visit=visit) == Totals(charged=28000, discounted=0, paid=28000,
                                               refunded=0)

    manager, cashier = till.clinic.manager, till.clinic.cashier
    assert rows(till.clinic.desk, "SELECT number, patient_id, what_was_wrong, reason, "
                                  "how_corrected, business_date, cashier_id, approved_by_id "
                                  "FROM corrections") == [
        ("00000001", patient, "收现金，实为微信支付", "收费员选错了支付方式",
         "冲销原记录，按正确方式重新登记", TODAY.isoformat(), cashier.staff_id,
         manager.staff_id)]
    assert done.number == "00000001"
    entry = last_audit_entry(till.clinic.desk)
    assert (entry.action, entry.entity, entry.entity_id, entry.actor_id) == (
        "entry_corrected", "correction", done.correction_id, cashier.staff_id)
    assert entry.details == {
        "number": "00000001", "kind": "payment", "entry_id": wrong_id,
        "reversal_id": done.reversal_id, "reversed_amount": -28000, "right_id": done.right_id,
        "right_amount": 28000, "receipt": done.receipt_number}
    assert rows(till.clinic.desk, "SELECT approved_by_id, reason FROM audit_entries "
                                  "ORDER BY id DESC LIMIT 1") == [
        (manager.staff_id, "收费员选错了支付方式")]
    with till.clinic.desk.db.read() as session:
        assert verify_chain(session).ok


def test_both_receipts_read_back_for_printing_and_add_up(till: Till, patient: int, visit: int,
                                                        approval: Approval) -> None:
    """The wrong payment's receipt reprints as it was issued; the right payment's receipt
    lists the right payment, and its figures add up for the printed receipt."""
    till.charge(visit, till.items.filling)
    paid = till.pay(patient, visit, till.cash("200.00"))
    done = correct(till, approval, EntryKind.PAYMENT, paid.payment_ids[0], RightPayment(
        patient, visit, till.methods.alipay, "280.00", reference="ALI-9"))
    assert done.receipt_id is not None
    desk = till.clinic.desk
    wrong, right = receipt_data(desk, paid.receipt_id), receipt_data(desk, done.receipt_id)
    assert [(p.amount, p.reference) for p in wrong.payments] == [(20000, "")]
    assert (wrong.paid_today, wrong.balance_after) == (20000, 8000)
    assert [(p.amount, p.reference) for p in right.payments] == [(28000, "ALI-9")]
    assert (right.total_charged, right.paid_today, right.balance_after) == (28000, 28000, 0)
    for data in (wrong, right):
        receipt_document(data, "en")  # refuses figures that do not add up


def test_a_wrong_amount_is_put_right_and_the_balance_follows(
        till: Till, patient: int, visit: int, approval: Approval) -> None:
    till.charge(visit, till.items.filling)
    (wrong_id,) = till.pay(patient, visit, till.card("250.00", last4="6222")).payment_ids
    assert balance(till, patient) == 3000
    done = correct(till, approval, EntryKind.PAYMENT, wrong_id, RightPayment(
        patient, visit, till.methods.card, "280.00", card_type="UnionPay debit",
        card_last4="6222", reference="POS-77"))
    assert balance(till, patient) == 0
    assert totals(till, visit=visit).paid == 28000
    assert done.receipt_id is not None
    assert receipt_row(till, done.receipt_id)[3:] == (28000, 28000, 0)


def test_wrong_card_details_keep_the_amount_and_the_reference(
        till: Till, patient: int, visit: int, approval: Approval) -> None:
    till.charge(visit, till.items.filling)
    (wrong_id,) = till.pay(patient, visit, till.card("280.00", last4="1111",
                                                     reference="POS-1")).payment_ids
    # the reference is the original's own: no "already used" warning
    done = correct(till, approval, EntryKind.PAYMENT, wrong_id, RightPayment(
        patient, visit, till.methods.card, "280.00", card_type="VISA credit",
        card_last4="4321", reference="POS-1"))
    assert done.right_id is not None
    assert payment_row(till, done.right_id)[4:8] == (28000, "VISA credit", "4321", "POS-1")
    assert payment_row(till, done.reversal_id)[4:8] == (-28000, "UnionPay debit", "1111",
                                                         "POS-1")
    assert balance(till, patient) == 0


def test_a_payment_posted_to_the_wrong_patient_moves_to_the_right_one(
        till: Till, approval: Approval) -> None:
    alice, bob = till.new_patient("王小明"), till.new_patient("李四")
    alice_visit, bob_visit = till.visit(alice), till.visit(bob)
    till.charge(alice_visit, till.items.filling)
    till.charge(bob_visit, till.items.filling)
    (wrong_id,) = till.pay(bob, bob_visit, till.cash("280.00")).payment_ids  # Alice's money
    assert (balance(till, alice), balance(till, bob)) == (28000, 0)

    done = correct(till, approval, EntryKind.PAYMENT, wrong_id,
                   RightPayment(alice, alice_visit, till.methods.cash, "280.00"))

    assert (balance(till, alice), balance(till, bob)) == (0, 28000)
    assert totals(till, visit=alice_visit).paid == 28000
    assert totals(till, visit=bob_visit).paid == 0
    assert payment_row(till, done.reversal_id)[:2] == (bob, bob_visit)
    assert done.right_id is not None and done.receipt_id is not None
    assert payment_row(till, done.right_id)[:2] == (alice, alice_visit)
    assert receipt_row(till, done.receipt_id)[1:] == (alice, alice_visit, 28000, 28000, 0)
    # the register entry belongs to the patient whose entry was wrong
    (row,) = list_corrections(till.clinic.desk, TODAY, TODAY)
    assert (row.patient_id, row.wrong.patient_id) == (bob, bob)
    assert row.right is not None and row.right.patient_name == "王小明"


def test_a_payment_posted_to_the_wrong_visit_moves_to_the_right_one(
        till: Till, patient: int, approval: Approval) -> None:
    first = till.visit(patient)
    till.charge(first, till.items.exam)  # 50.00, left unpaid
    till.finish(first)
    second = till.visit(patient)
    till.charge(second, till.items.filling)
    (wrong_id,) = till.pay(patient, second, till.cash("50.00")).payment_ids
    assert [v.visit_id for v in patient_visits(till.clinic.desk, patient)] == [second, first]

    correct(till, approval, EntryKind.PAYMENT, wrong_id,
            RightPayment(patient, first, till.methods.cash, "50.00"))

    assert totals(till, visit=first).balance == 0
    assert totals(till, visit=second).balance == 28000
    assert balance(till, patient) == 28000


def test_a_payment_posted_twice_is_only_reversed(till: Till, patient: int, visit: int,
                                                 approval: Approval) -> None:
    till.charge(visit, till.items.filling)
    till.pay(patient, visit, till.cash("280.00"))
    (twice,) = till.pay(patient, None, till.cash("280.00"), deposit=True).payment_ids
    assert balance(till, patient) == -28000
    receipts = rows(till.clinic.desk, "SELECT count(*) FROM receipts")

    done = correct(till, approval, EntryKind.PAYMENT, twice)

    assert (done.right_id, done.receipt_id, done.receipt_number) == (None, None, "")
    assert balance(till, patient) == 0
    assert payment_row(till, done.reversal_id)[4] == -28000
    assert payment_row(till, done.reversal_id)[8] == 1  # the reversal of a deposit is one too
    assert rows(till.clinic.desk, "SELECT count(*) FROM receipts") == receipts


# --- charges -------------------------------------------------------------------------------------

def test_a_wrong_item_is_reversed_and_the_right_one_charged(till: Till, patient: int, visit: int,
                                                            approval: Approval) -> None:
    wrong_id = till.charge(visit, till.items.filling)
    done = correct(till, approval, EntryKind.CHARGE, wrong_id,
                   RightCharge(till.items.exam, 1, till.doctor))
    assert charge_row(till, done.reversal_id) == (
        till.items.filling, "补牙", -1, 28000, -28000, till.doctor, "", wrong_id,
        done.correction_id)
    assert done.right_id is not None
    assert charge_row(till, done.right_id) == (
        till.items.exam, "口腔检查", 1, 5000, 5000, till.doctor, "", None, done.correction_id)
    assert balance(till, patient) == 5000
    assert totals(till, visit=visit).charged == 5000


def test_a_wrong_quantity_keeps_the_price_it_was_charged_at(till: Till, patient: int, visit: int,
                                                            approval: Approval) -> None:
    wrong_id = till.charge(visit, till.items.gauze, 3)  # 3 × 3.50
    item = next(i for i in catalog.list_price_items(till.clinic.desk)
                if i.id == till.items.gauze)
    catalog.save_price_item(till.clinic.desk, till.clinic.manager, item.id, catalog.PriceItemForm(
        code=item.code, name=item.name, category_id=item.category_id, price_text="4.00"))
    done = correct(till, approval, EntryKind.CHARGE, wrong_id,
                   RightCharge(till.items.gauze, 2, till.doctor))
    assert done.right_id is not None
    assert charge_row(till, done.right_id)[2:5] == (2, 350, 700)
    assert balance(till, patient) == 700


def test_a_wrong_doctor_or_position_changes_no_money(till: Till, patient: int, visit: int,
                                                     approval: Approval) -> None:
    wrong_id = till.charge(visit, till.items.filling, position_note="36")
    done = correct(till, approval, EntryKind.CHARGE, wrong_id,
                   RightCharge(till.items.filling, 1, till.other_doctor, " 46 "))
    assert done.right_id is not None
    assert charge_row(till, done.right_id)[4:7] == (28000, till.other_doctor, "46")
    assert charge_row(till, done.reversal_id)[4:7] == (-28000, till.doctor, "36")
    assert balance(till, patient) == 28000


def test_an_item_no_longer_on_the_price_list_may_be_kept_but_not_chosen(
        till: Till, patient: int, visit: int, approval: Approval) -> None:
    wrong_id = till.charge(visit, till.items.filling)
    desk = till.clinic.desk
    expect_field_error(desk, "charge.item", lambda: correct(
        till, approval, EntryKind.CHARGE, wrong_id, RightCharge(till.items.retired, 1, None)))


def test_a_charge_made_by_mistake_is_only_reversed(till: Till, patient: int, visit: int,
                                                   approval: Approval) -> None:
    till.charge(visit, till.items.exam)
    wrong_id = till.charge(visit, till.items.crown)
    correct(till, approval, EntryKind.CHARGE, wrong_id)
    assert balance(till, patient) == 5000
    assert totals(till, visit=visit) == Totals(charged=5000, discounted=0, paid=0, refunded=0)


def test_a_charge_is_not_reversed_from_under_its_discount(till: Till, patient: int, visit: int,
                                                          approval: Approval) -> None:
    wrong_id = till.charge(visit, till.items.filling)
    add_discount(till.clinic.desk, till.clinic.cashier, visit, amount_text="28.00",
                 reason="老顾客")
    desk = till.clinic.desk
    error = expect_field_error(desk, "entry", lambda: correct(
        till, approval, EntryKind.CHARGE, wrong_id))
    assert "discount" in error.errors["entry"]
    expect_field_error(desk, "right", lambda: correct(
        till, approval, EntryKind.CHARGE, wrong_id, RightCharge(till.items.gauze, 1, None)))


# --- discounts -----------------------------------------------------------------------------------

def test_a_wrong_discount_is_reversed_and_the_right_one_given(till: Till, patient: int, visit: int,
                                                              approval: Approval) -> None:
    till.charge(visit, till.items.filling)
    wrong_id = add_discount(till.clinic.desk, till.clinic.cashier, visit, amount_text="28.00",
                            reason="老顾客")
    done = correct(till, approval, EntryKind.DISCOUNT, wrong_id,
                   RightDiscount("20.00", " 老顾客九折后取整 "))
    manager = till.clinic.manager.staff_id
    assert discount_row(till, done.reversal_id) == (-2800, "老顾客", manager, wrong_id,
                                                    done.correction_id)
    assert done.right_id is not None
    assert discount_row(till, done.right_id) == (2000, "老顾客九折后取整", manager, None,
                                                 done.correction_id)
    assert balance(till, patient) == 26000
    assert totals(till, visit=visit).discounted == 2000


def test_a_discount_given_by_mistake_is_only_reversed(till: Till, patient: int, visit: int,
                                                      approval: Approval) -> None:
    till.charge(visit, till.items.filling)
    wrong_id = add_discount(till.clinic.desk, till.clinic.cashier, visit, percent=10,
                            reason="老顾客")
    till.pay(patient, visit, till.cash("252.00"))
    correct(till, approval, EntryKind.DISCOUNT, wrong_id)
    assert balance(till, patient) == 2800
    assert totals(till, visit=visit) == Totals(charged=28000, discounted=0, paid=25200,
                                               refunded=0)


@pytest.mark.parametrize("right, field", [
    (RightDiscount("0", "x"), "discount.amount"),
    (RightDiscount("abc", "x"), "discount.amount"),
    (RightDiscount("280.01", "x"), "discount.amount"),  # more than the charges
    (RightDiscount("20.00", "  "), "discount.reason"),
    (RightDiscount("28.00", "老顾客"), "right"),  # nothing changes
], ids=["zero", "not-a-number", "above-charges", "no-reason", "unchanged"])
def test_a_bad_right_discount_is_refused_at_its_field(till: Till, visit: int, approval: Approval,
                                                      right: RightDiscount, field: str) -> None:
    till.charge(visit, till.items.filling)
    wrong_id = add_discount(till.clinic.desk, till.clinic.cashier, visit, amount_text="28.00",
                            reason="老顾客")
    expect_field_error(till.clinic.desk, field, lambda: correct(
        till, approval, EntryKind.DISCOUNT, wrong_id, right))


# --- refusals: each writes nothing --------------------------------------------------------------

@pytest.fixture
def paid(till: Till, patient: int, visit: int) -> int:
    """A cash payment of 280.00 for a filling: the entry the refusals try to correct."""
    till.charge(visit, till.items.filling)
    (payment_id,) = till.pay(patient, visit, till.cash("280.00")).payment_ids
    return payment_id


@pytest.mark.parametrize("field", ["what_was_wrong", "reason", "how_corrected"])
@pytest.mark.parametrize("text", ["", "   ", "长" * 501], ids=["empty", "blank", "too-long"])
def test_every_text_of_the_register_is_required(till: Till, paid: int, approval: Approval,
                                                field: str, text: str) -> None:
    expect_field_error(till.clinic.desk, field, lambda: correct(
        till, approval, EntryKind.PAYMENT, paid, **{field: text}))


def test_an_entry_already_corrected_is_not_corrected_again(till: Till, patient: int,
                                                           visit: int, paid: int,
                                                           approval: Approval) -> None:
    done = correct(till, approval, EntryKind.PAYMENT, paid,
                   RightPayment(patient, visit, till.methods.alipay, "280.00", reference="A-1"))
    desk = till.clinic.desk
    error = expect_field_error(desk, "entry", lambda: correct(
        till, approval, EntryKind.PAYMENT, paid))
    assert done.number in error.errors["entry"]
    # nor is the reversal reversed
    expect_field_error(desk, "entry", lambda: correct(
        till, approval, EntryKind.PAYMENT, done.reversal_id))
    # the right entry stands, and may itself be corrected
    assert done.right_id is not None
    correct(till, approval, EntryKind.PAYMENT, done.right_id,
            RightPayment(patient, visit, till.methods.wechat, "280.00", reference="W-1"))
    assert balance(till, patient) == 0


def test_the_reversal_of_a_charge_or_discount_is_not_reversed(till: Till, visit: int,
                                                              approval: Approval) -> None:
    charge = correct(till, approval, EntryKind.CHARGE, till.charge(visit, till.items.exam))
    till.charge(visit, till.items.filling)
    discount = correct(till, approval, EntryKind.DISCOUNT, add_discount(
        till.clinic.desk, till.clinic.cashier, visit, amount_text="10.00", reason="x"))
    expect_field_error(till.clinic.desk, "entry", lambda: correct(
        till, approval, EntryKind.CHARGE, charge.reversal_id))
    expect_field_error(till.clinic.desk, "entry", lambda: correct(
        till, approval, EntryKind.DISCOUNT, discount.reversal_id))


def test_without_approval_everything_is_checked_and_nothing_written(
        till: Till, patient: int, visit: int, paid: int) -> None:
    desk = till.clinic.desk
    before = dump(desk)
    with pytest.raises(ApprovalNeeded):
        correct(till, None, EntryKind.PAYMENT, paid)
    assert dump(desk) == before
    # a bad correction says what is wrong before anyone is asked to approve it
    expect_field_error(desk, "reason", lambda: correct(
        till, None, EntryKind.PAYMENT, paid, reason=""))


def test_only_a_manager_approves_a_correction(till: Till, paid: int) -> None:
    cashier = till.clinic.cashier
    not_a_manager = Approval(cashier.staff_id, cashier.name, till.clinic.clock.now())
    expect_denied(till.clinic.desk, lambda: correct(
        till, not_a_manager, EntryKind.PAYMENT, paid))


def test_a_receptionist_may_not_correct(till: Till, paid: int, approval: Approval) -> None:
    expect_denied(till.clinic.desk, lambda: correct(
        till, approval, EntryKind.PAYMENT, paid, actor=till.clinic.receptionist))


def test_nothing_is_corrected_into_a_closed_day(till: Till, paid: int,
                                               approval: Approval) -> None:
    closing = close_day(till)
    desk = till.clinic.desk
    before = dump(desk)
    with pytest.raises(DayClosed):
        correct(till, approval, EntryKind.PAYMENT, paid)
    assert dump(desk) == before
    reopen_day(till, closing)
    correct(till, approval, EntryKind.PAYMENT, paid)


def test_an_entry_of_a_closed_day_is_corrected_in_the_open_day(
        till: Till, patient: int, paid: int, approval: Approval) -> None:
    """The closed day keeps what was counted; the correction counts on the day it is made."""
    close_day(till)
    till.clinic.clock.advance(days=1)
    done = correct(till, approval, EntryKind.PAYMENT, paid)
    assert payment_row(till, paid)[9] == TODAY.isoformat()
    assert payment_row(till, done.reversal_id)[9] == (TODAY + timedelta(days=1)).isoformat()
    assert balance(till, patient) == 28000


def test_a_payment_with_money_refunded_out_of_it_is_not_corrected(
        till: Till, patient: int, visit: int, paid: int, approval: Approval) -> None:
    clinic = till.clinic
    with clinic.desk.db.write() as session:
        session.add(Refund(
            number="R00000001", idempotency_key=new_key("refund"), payment_id=paid,
            patient_id=patient, visit_id=visit, method_id=till.methods.cash, amount=1000,
            reason_detail="gauze not used", approved_by_id=clinic.manager.staff_id,
            receiver_name="张三", business_date=TODAY, created_at=clinic.clock.now(),
            cashier_id=clinic.cashier.staff_id))
    error = expect_field_error(clinic.desk, "entry", lambda: correct(
        till, approval, EntryKind.PAYMENT, paid))
    assert "refunded" in error.errors["entry"]
    (row,) = [r for r in patient_entries(clinic.desk, patient) if r.entry.entry_id == paid
              and r.entry.kind == EntryKind.PAYMENT]
    assert row.refunded == 1000


def test_an_item_with_money_refunded_for_it_is_not_corrected(
        till: Till, patient: int, visit: int, paid: int, approval: Approval) -> None:
    """An item refund has taken part of the charge back with a reversing charge: reversing
    the whole charge again would take that part off twice."""
    clinic = till.clinic
    (charge_id,) = [i for (i,) in rows(clinic.desk, "SELECT id FROM charges")]
    now = clinic.clock.now()
    with clinic.desk.db.write() as session:
        session.add(Charge(
            patient_id=patient, visit_id=visit, price_item_id=till.items.filling,
            description="补牙", quantity=0, unit_price=28000, amount=-8000, doctor_id=till.doctor,
            business_date=TODAY, created_at=now, created_by_id=clinic.cashier.staff_id,
            reverses_charge_id=charge_id))
        session.add(Refund(
            number="R00000001", idempotency_key=new_key("refund"), payment_id=paid,
            charge_id=charge_id, patient_id=patient, visit_id=visit,
            method_id=till.methods.cash, amount=8000, reason_detail="filling redone free",
            approved_by_id=clinic.manager.staff_id, receiver_name="张三", business_date=TODAY,
            created_at=now, cashier_id=clinic.cashier.staff_id))
    for right in (None, RightCharge(till.items.filling, 1, till.other_doctor)):
        error = expect_field_error(clinic.desk, "entry", lambda right=right: correct(
            till, approval, EntryKind.CHARGE, charge_id, right))
        assert "refunded" in error.errors["entry"]
    refunded = {(r.entry.kind, r.entry.entry_id): r.refunded
                for r in patient_entries(clinic.desk, patient)}
    assert refunded == {(EntryKind.CHARGE, charge_id): 8000, (EntryKind.PAYMENT, paid): 8000}


@pytest.mark.parametrize("make, field", [
    (lambda t, p, v: RightPayment(p, v, t.methods.cash, "280.00"), "right"),
    (lambda t, p, v: RightPayment(p, v, t.methods.cash, "2.801"), "payment.amount"),
    (lambda t, p, v: RightPayment(p, v, t.methods.cash, "-5"), "payment.amount"),
    (lambda t, p, v: RightPayment(p, v, t.methods.cash, "0"), "payment.amount"),
    (lambda t, p, v: RightPayment(p, v, t.methods.card, "280.00", card_type="VISA",
                                  reference="P-9"), "payment.card_last4"),
    (lambda t, p, v: RightPayment(p, v, t.methods.wechat, "280.00"), "payment.reference"),
    (lambda t, p, v: RightPayment(p, v, 999_999, "280.00"), "payment.method"),
    (lambda t, p, v: RightPayment(999_999, None, t.methods.cash, "280.00"),
     "payment.patient_id"),
    (lambda t, p, v: RightPayment(t.new_patient("李四"), v, t.methods.cash, "280.00"),
     "payment.visit_id"),
], ids=["unchanged", "three-decimals", "negative", "zero", "card-without-digits",
        "wechat-without-reference", "unknown-method", "unknown-patient", "others-visit"])
def test_a_bad_right_payment_is_refused_at_its_field(
        till: Till, patient: int, visit: int, paid: int, approval: Approval,
        make: Callable[[Till, int, int], RightPayment], field: str) -> None:
    right = make(till, patient, visit)
    expect_field_error(till.clinic.desk, field, lambda: correct(
        till, approval, EntryKind.PAYMENT, paid, right))


@pytest.mark.parametrize("make, field", [
    (lambda t: RightCharge(t.items.filling, 1, t.doctor), "right"),
    (lambda t: RightCharge(t.items.exam, 0, t.doctor), "charge.quantity"),
    (lambda t: RightCharge(999_999, 1, t.doctor), "charge.item"),
    (lambda t: RightCharge(t.items.exam, 1, t.doctor, "x" * 101), "charge.position_note"),
    (lambda t: RightCharge(t.items.exam, 1, 999_999), "charge.doctor_id"),
], ids=["unchanged", "zero", "unknown-item", "long-note", "unknown-doctor"])
def test_a_bad_right_charge_is_refused_at_its_field(till: Till, visit: int, approval: Approval,
                                                    make: Callable[[Till], RightCharge],
                                                    field: str) -> None:
    wrong_id = till.charge(visit, till.items.filling)
    expect_field_error(till.clinic.desk, field, lambda: correct(
        till, approval, EntryKind.CHARGE, wrong_id, make(till)))


def test_a_reference_used_before_is_a_warning_the_cashier_can_overrule(
        till: Till, patient: int, visit: int, paid: int, approval: Approval) -> None:
    other = till.new_patient("李四")
    till.pay(other, None, till.wechat("10.00", reference="WX-77"), deposit=True)
    right = RightPayment(patient, visit, till.methods.wechat, "280.00", reference="WX-77")
    desk = till.clinic.desk
    before = dump(desk)
    with pytest.raises(ReferenceAlreadyUsed):
        correct(till, approval, EntryKind.PAYMENT, paid, right)
    assert dump(desk) == before
    done = correct_entry(desk, till.clinic.cashier, request(
        EntryKind.PAYMENT, paid, right, accept_reused_reference=True), approval)
    assert done.right_id is not None


def test_an_unknown_entry_is_not_found(till: Till, approval: Approval) -> None:
    desk = till.clinic.desk
    before = dump(desk)
    with pytest.raises(NotFound):
        correct(till, approval, EntryKind.CHARGE, 999_999)
    assert dump(desk) == before


def test_the_right_entry_must_be_of_the_wrong_ones_kind(till: Till, paid: int,
                                                        approval: Approval) -> None:
    with pytest.raises(TypeError):
        correct(till, approval, EntryKind.PAYMENT, paid, RightDiscount("1.00", "x"))


# --- numbers, the register and the dialog's list ------------------------------------------------

def test_correction_numbers_have_no_gaps_whatever_was_refused(
        till: Till, patient: int, visit: int, approval: Approval) -> None:
    entries = [till.charge(visit, till.items.exam) for _ in range(3)]
    cashier = till.clinic.cashier
    not_a_manager = Approval(cashier.staff_id, cashier.name, till.clinic.clock.now())
    numbers = [correct(till, approval, EntryKind.CHARGE, entries[0]).number]
    for refused in (lambda: correct(till, approval, EntryKind.CHARGE, entries[0]),
                    lambda: correct(till, None, EntryKind.CHARGE, entries[1]),
                    lambda: correct(till, not_a_manager, EntryKind.CHARGE, entries[1]),
                    lambda: correct(till, approval, EntryKind.CHARGE, entries[1], reason="")):
        with pytest.raises(Exception):  # noqa: B017 - each refuses in its own way
            refused()
    numbers += [correct(till, approval, EntryKind.CHARGE, e).number for e in entries[1:]]
    assert numbers == ["00000001", "00000002", "00000003"]
    assert [n for (n,) in rows(till.clinic.desk, "SELECT number FROM corrections ORDER BY id")] \
        == numbers


def test_the_register_lists_corrections_by_day_with_everything_it_shows(
        till: Till, patient: int, visit: int, paid: int, approval: Approval) -> None:
    desk = till.clinic.desk
    first = correct(till, approval, EntryKind.PAYMENT, paid, RightPayment(
        patient, visit, till.methods.card, "280.00", card_type="VISA", card_last4="1234",
        reference="POS-5"))
    till.clinic.clock.advance(days=1)
    charge_id = till.charge(visit, till.items.gauze, 2, position_note="36")
    second = correct(till, approval, EntryKind.CHARGE, charge_id,
                     what_was_wrong="数量错了", reason="手误", how_corrected="冲销")
    tomorrow = TODAY + timedelta(days=1)

    assert [r.number for r in list_corrections(desk, TODAY, TODAY)] == [first.number]
    assert [r.number for r in list_corrections(desk, tomorrow, tomorrow)] == [second.number]
    assert list_corrections(desk, TODAY - timedelta(days=7), TODAY - timedelta(days=1)) == []
    one, two = list_corrections(desk, TODAY, tomorrow)

    assert (one.number, one.business_date, one.kind, one.patient_name, one.cashier_name,
            one.approved_by_name) == (first.number, TODAY, EntryKind.PAYMENT, "张三",
                                      "Sun Meiling", till.clinic.manager.name)
    assert (one.what_was_wrong, one.reason, one.how_corrected) == (
        "收现金，实为微信支付", "收费员选错了支付方式", "冲销原记录，按正确方式重新登记")
    assert one.corrected_at == till.clinic.clock.now() - timedelta(days=1)
    assert isinstance(one.wrong, PaymentEntry) and isinstance(one.right, PaymentEntry)
    assert (one.wrong.entry_id, one.wrong.amount, one.wrong.method_name) == (paid, 28000, "现金")
    assert (one.right.entry_id, one.right.amount, one.right.card_last4,
            one.right.receipt_number) == (first.right_id, 28000, "1234", first.receipt_number)
    assert one.wrong.receipt_number != one.right.receipt_number

    assert two.right is None and isinstance(two.wrong, ChargeEntry)
    assert (two.kind, two.wrong.item_name, two.wrong.quantity, two.wrong.amount,
            two.wrong.doctor_name, two.wrong.position_note) == (
        EntryKind.CHARGE, "纱布", 2, 700, "李建国", "36")

    text = describe_entry(one.right, "CNY")
    for part in ("¥280.00", "VISA ****1234", "POS-5", first.receipt_number):
        assert part in text
    assert describe_entry(two.wrong, "CNY", seen_from=patient) == describe_entry(
        two.wrong, "CNY")
    assert describe_entry(two.wrong, "CNY", seen_from=patient + 1).startswith("张三 (")


def test_the_patients_entries_show_what_was_corrected_and_leave_out_reversals(
        till: Till, patient: int, visit: int, paid: int, approval: Approval) -> None:
    done = correct(till, approval, EntryKind.PAYMENT, paid, RightPayment(
        patient, visit, till.methods.alipay, "280.00", reference="ALI-1"))
    entries = patient_entries(till.clinic.desk, patient)
    shown = {(r.entry.kind, r.entry.entry_id): r.corrected_by for r in entries}
    assert shown == {(EntryKind.PAYMENT, done.right_id): "",
                     (EntryKind.PAYMENT, paid): done.number,
                     (EntryKind.CHARGE, rows(till.clinic.desk, "SELECT id FROM charges")[0][0]):
                         ""}
    assert done.reversal_id not in {r.entry.entry_id for r in entries
                                    if r.entry.kind == EntryKind.PAYMENT}
    assert entries[0].entry.entry_id == done.right_id  # newest first
