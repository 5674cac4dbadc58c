"""Closing a till's day: the blind count, expected against counted, the terminals, the
tolerance and the approval limit, the numbered close with the audit head, the lock,
handover and re-opening."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from clinic_desk.models import AuditEntry, CashStation, DayClosing, Payment
from clinic_desk.services import audit
from clinic_desk.services.auth import Approval, approve, log_in
from clinic_desk.services.cashdesk import ApprovalNeeded, ChargeLine, add_charges
from clinic_desk.services.day_close import (CloseForm, CountForm, accept_handover, close_day,
                                            close_sheet, day_closings, record_count, reopen_day)
from clinic_desk.services.errors import Conflict, DayClosed, NotFound, PermissionDenied
from clinic_desk.services.reconciliation import till_totals

from tests.clinics import MANAGER_LOGIN
from .cash import Till
from .closing import close_exactly, close_on, count, notes_for, refund, reverse
from .helpers import TODAY, at, dump, expect_denied, expect_field_error, rows

TUESDAY = TODAY + timedelta(days=1)
WEDNESDAY = TODAY + timedelta(days=2)


@pytest.fixture
def manager_approval(till: Till) -> Approval:
    return approve(till.clinic.desk, *MANAGER_LOGIN)


def takings(till: Till, cash: str = "280.00", card: str = "50.00") -> int:
    """A patient charged a filling and an exam, paying in cash and by card; the payment id
    of the cash part."""
    patient = till.new_patient()
    visit = till.visit(patient)
    till.charge(visit, till.items.filling)
    till.charge(visit, till.items.exam)
    parts = [till.cash(cash)] + ([till.card(card)] if card else [])
    posted = till.pay(patient, visit, *parts)
    return posted.payment_ids[0]


def deposit(till: Till, amount: str) -> int:
    """Money taken on a day the doctors do not work: a deposit on account."""
    patient = till.new_patient()
    return till.pay(patient, None, till.cash(amount), deposit=True).payment_ids[0]


# --- the blind count ---------------------------------------------------------------------------

def test_the_expected_figures_come_only_with_the_recorded_count(till: Till) -> None:
    takings(till)
    desk, cashier = till.clinic.desk, till.clinic.cashier
    sheet = close_sheet(desk, cashier, TODAY)
    assert sheet.opening_float is None and sheet.version == 1
    assert sheet.denominations == (10000, 5000, 2000, 1000, 500, 100, 50, 10)
    assert [m.method_id for m in sheet.terminal_methods] == [
        till.methods.card, till.methods.wechat, till.methods.alipay]
    with pytest.raises(NotFound):  # no close without a count on record
        close_day(desk, cashier, CloseForm(count_id=1))

    counts = {10000: "7", 5000: "1", 1000: "3"}  # ¥780.00 in the drawer
    result = record_count(desk, cashier, CountForm(
        TODAY, sheet.cash_station_id, counts, {till.methods.card: "50.00"}, "500.00"))

    entry = rows(desk, "SELECT action, actor_id, details FROM audit_entries WHERE id = ?",
                 result.count_id)[0]
    assert entry[:2] == ("cash_counted", cashier.staff_id)
    recorded = json.loads(entry[2])
    assert recorded["lines"] == [[10000, 7], [5000, 1], [1000, 3]]
    assert recorded["counted_cash"] == 78000 and recorded["opening_float"] == 50000
    assert (result.opening_float, result.cash_taken, result.cash_refunded) == (50000, 28000, 0)
    assert (result.expected_cash, result.counted_cash, result.cash_difference) == (
        78000, 78000, 0)
    card = next(m for m in result.methods if m.method_id == till.methods.card)
    assert (card.system, card.reported, card.difference) == (5000, 5000, 0)
    assert not result.needs_explanation and not result.needs_approval


def test_expected_cash_is_the_float_plus_cash_taken_less_cash_refunded(
        till: Till, manager_approval: Approval) -> None:
    first = takings(till, cash="280.00")
    second = takings(till, cash="330.00", card="")
    refund(till, first, 8000, manager_approval.staff_id)
    reverse(till, second, manager_approval.staff_id)  # posted twice: the correction takes it back
    _sheet, result = count(till, 50000 + 28000 - 8000)
    assert result.cash_taken == 28000 + 33000 - 33000
    assert result.cash_refunded == 8000
    assert result.expected_cash == 50000 + 28000 - 8000
    assert result.cash_difference == 0


@pytest.mark.parametrize("typed, message", [
    ("12a", "whole number"), ("七", "whole number"), ("1.5", "whole number"),
    ("-3", "negative"), ("- 3", "negative"), ("100001", "At most"),
])
def test_a_bad_count_is_refused_at_its_denomination_and_nothing_is_written(
        till: Till, typed: str, message: str) -> None:
    desk, cashier = till.clinic.desk, till.clinic.cashier
    sheet = close_sheet(desk, cashier, TODAY)
    error = expect_field_error(desk, "counts.5000", lambda: record_count(desk, cashier, CountForm(
        TODAY, sheet.cash_station_id, {10000: "2", 5000: typed}, {}, "500.00")))
    assert message in error.errors["counts.5000"]


def test_bad_terminal_totals_and_a_missing_float_are_refused_at_their_fields(till: Till) -> None:
    desk, cashier = till.clinic.desk, till.clinic.cashier
    sheet = close_sheet(desk, cashier, TODAY)
    form = CountForm(TODAY, sheet.cash_station_id, {10000: "5"},
                     {till.methods.card: "12.3x", till.methods.wechat: "1.234"}, "")
    error = expect_field_error(desk, "opening_float", lambda: record_count(desk, cashier, form))
    assert {f"reported.{till.methods.card}", f"reported.{till.methods.wechat}"} <= set(
        error.errors)


def test_a_receptionist_cannot_count_or_close(till: Till) -> None:
    desk, receptionist = till.clinic.desk, till.clinic.receptionist
    expect_denied(desk, lambda: close_sheet(desk, receptionist, TODAY))
    expect_denied(desk, lambda: record_count(desk, receptionist, CountForm(
        TODAY, 1, {10000: "1"}, {}, "1.00")))


# --- differences, explanations, approvals -------------------------------------------------------

def test_a_difference_beyond_the_tolerance_needs_an_explanation(till: Till) -> None:
    takings(till)
    _sheet, result = count(till, 50000 + 28000 - 200,  # ¥2.00 short, tolerance ¥1.00
                           {till.methods.card: 5000})
    assert result.cash_difference == -200 and result.needs_explanation
    assert not result.needs_approval
    desk = till.clinic.desk
    expect_field_error(desk, "explanation", lambda: close_on(till, result, explanation="  "))
    closed = close_on(till, result, explanation="gave ¥2 too much change")
    (closing,) = day_closings(desk, till.clinic.cashier, TODAY)
    assert (closing.number, closing.difference, closing.explanation) == (
        closed.number, -200, "gave ¥2 too much change")


def test_a_difference_within_the_tolerance_closes_without_a_word(till: Till) -> None:
    takings(till)
    _sheet, result = count(till, 50000 + 28000 + 50, {till.methods.card: 5000})
    assert result.cash_difference == 50 and not result.needs_explanation
    close_on(till, result)


def test_a_terminal_total_that_disagrees_needs_an_explanation(till: Till) -> None:
    takings(till, card="50.00")
    _sheet, result = count(till, 50000 + 28000, reported={till.methods.card: 4000})
    card = next(m for m in result.methods if m.method_id == till.methods.card)
    assert card.difference == -1000 and result.needs_explanation
    expect_field_error(till.clinic.desk, "explanation", lambda: close_on(till, result))
    close_on(till, result, explanation="one card slip was voided on the terminal")
    (closing,) = day_closings(till.clinic.desk, till.clinic.cashier, TODAY)
    checked = {m.method_id: (m.system, m.reported, m.difference) for m in closing.methods}
    assert checked[till.methods.card] == (5000, 4000, -1000)
    assert checked[till.methods.wechat] == (0, None, 0)


def test_a_difference_beyond_the_maximum_needs_another_managers_approval(
        till: Till, manager_approval: Approval) -> None:
    takings(till)
    _sheet, result = count(till, 50000 + 28000 - 6000,  # ¥60 short, limit ¥50
                           {till.methods.card: 5000})
    assert result.needs_approval
    desk, cashier = till.clinic.desk, till.clinic.cashier
    before = dump(desk)
    with pytest.raises(ApprovalNeeded):
        close_on(till, result, explanation="unknown")
    forged = Approval(cashier.staff_id, cashier.name, manager_approval.at)
    with pytest.raises(PermissionDenied):
        close_on(till, result, explanation="unknown", approval=forged)
    assert dump(desk) == before
    close_on(till, result, explanation="unknown", approval=manager_approval)
    assert rows(desk, "SELECT difference_approved_by_id FROM day_closings") == [
        (manager_approval.staff_id,)]


def test_a_manager_cannot_approve_their_own_difference(till: Till,
                                                        manager_approval: Approval) -> None:
    takings(till)
    manager = till.clinic.manager
    _sheet, result = count(till, 50000 + 28000 - 6000, {till.methods.card: 5000},
                           actor=manager)
    before = dump(till.clinic.desk)
    with pytest.raises(PermissionDenied):
        close_on(till, result, "short", approval=manager_approval, actor=manager)
    assert dump(till.clinic.desk) == before


def test_the_float_kept_cannot_be_more_than_was_counted(till: Till) -> None:
    _sheet, result = count(till, 50000)
    expect_field_error(till.clinic.desk, "float_kept",
                       lambda: close_on(till, result, float_kept="500.01"))
    expect_field_error(till.clinic.desk, "float_kept",
                       lambda: close_on(till, result, float_kept="abc"))


# --- the close on record ------------------------------------------------------------------------

def test_the_close_uses_the_last_count_of_the_cashier_and_the_figures_it_saw(till: Till) -> None:
    takings(till)
    desk = till.clinic.desk
    _sheet, first = count(till, 50000 + 28000 - 500)
    _sheet, second = count(till, 50000 + 28000)  # a recount is on record as well
    before = dump(desk)
    with pytest.raises(Conflict):
        close_on(till, first, explanation="first count")
    with pytest.raises(Conflict):  # someone else's count
        close_on(till, second, actor=till.clinic.manager)
    assert dump(desk) == before
    takings(till)  # money after the count: the count no longer matches the till
    with pytest.raises(Conflict):
        close_on(till, second)
    _sheet, third = count(till, 50000 + 2 * 28000, {till.methods.card: 2 * 5000})
    close_on(till, third)


def test_the_close_is_numbered_and_carries_the_audit_chain_head(till: Till) -> None:
    takings(till)
    desk = till.clinic.desk
    closed = close_exactly(till, 28000, {till.methods.card: 5000})
    with desk.db.read() as session:
        closing = session.get(DayClosing, closed.closing_id)
        assert closing is not None
        head_entry = session.get(AuditEntry, closing.audit_head_id)
        assert head_entry is not None and head_entry.action == "cash_counted"
        assert closing.audit_head_hash == head_entry.entry_hash
        closed_entry = session.get(AuditEntry, closing.audit_head_id + 1)
        assert closed_entry is not None and closed_entry.action == "day_closed"
        assert closed_entry.previous_hash == closing.audit_head_hash
        assert audit.verify_chain(session).ok
    assert closed.number == "000001" and closed.version == 1
    till.clinic.clock.set(at(9, day=TUESDAY))
    deposit(till, "100.00")
    assert close_exactly(till, 10000, day=TUESDAY).number == "000002"


def test_a_second_close_of_the_same_day_is_refused(till: Till) -> None:
    takings(till)
    close_exactly(till, 28000, {till.methods.card: 5000})
    desk, cashier = till.clinic.desk, till.clinic.cashier
    before = dump(desk)
    with pytest.raises(Conflict):
        close_sheet(desk, cashier, TODAY)
    with pytest.raises(Conflict):
        record_count(desk, cashier, CountForm(TODAY, 1, {10000: "1"}, {}))
    assert dump(desk) == before


def test_a_day_that_has_not_begun_cannot_be_closed(till: Till) -> None:
    desk, cashier = till.clinic.desk, till.clinic.cashier
    expect_field_error(desk, "business_date", lambda: close_sheet(desk, cashier, TUESDAY))


# --- float, order of days --------------------------------------------------------------------------

def test_the_float_kept_is_the_next_days_opening_float(till: Till) -> None:
    takings(till)
    _sheet, result = count(till, 50000 + 28000, {till.methods.card: 5000})
    monday = close_on(till, result, float_kept="300.00")
    till.clinic.clock.set(at(9, day=TUESDAY))
    deposit(till, "20.00")
    sheet = close_sheet(till.clinic.desk, till.clinic.cashier, TUESDAY)
    assert (sheet.opening_float, sheet.carried_from) == (30000, monday.number)
    _sheet, tuesday = count(till, 30000 + 2000, day=TUESDAY)
    assert (tuesday.opening_float, tuesday.expected_cash, tuesday.cash_difference) == (
        30000, 32000, 0)
    (closing,) = day_closings(till.clinic.desk, till.clinic.cashier, TODAY)
    assert closing.cash_handed_over == 78000 - 30000


def test_days_are_closed_in_order(till: Till) -> None:
    close_exactly(till, 0)
    clock, desk, cashier = till.clinic.clock, till.clinic.desk, till.clinic.cashier
    clock.set(at(9, day=TUESDAY))
    deposit(till, "20.00")
    clock.set(at(9, day=WEDNESDAY))
    with pytest.raises(Conflict, match="close it first"):
        close_sheet(desk, cashier, WEDNESDAY)
    close_exactly(till, 2000, day=TUESDAY)
    close_exactly(till, 0, day=WEDNESDAY)


# --- the lock, re-opening, handover ---------------------------------------------------------------

def test_nothing_is_posted_into_a_closed_day_until_a_manager_reopens_it(till: Till) -> None:
    patient = till.new_patient()
    visit = till.visit(patient)
    till.charge(visit, till.items.exam)
    closed = close_exactly(till, 0)
    desk = till.clinic.desk
    before = dump(desk)
    with pytest.raises(DayClosed):
        till.pay(patient, visit, till.cash("50.00"))
    with pytest.raises(DayClosed):
        add_charges(desk, till.clinic.cashier, visit, [ChargeLine(till.items.exam)])
    assert dump(desk) == before
    reopen_day(desk, till.clinic.manager, closed.closing_id, "a payment was forgotten")
    till.pay(patient, visit, till.cash("50.00"))
    close_exactly(till, 5000)
    with pytest.raises(DayClosed):
        till.charge(visit, till.items.gauze)


def test_reopening_and_closing_again_keeps_both_versions(till: Till) -> None:
    takings(till)
    desk, manager = till.clinic.desk, till.clinic.manager
    first = close_exactly(till, 28000, {till.methods.card: 5000})
    first_row = rows(desk, "SELECT * FROM day_closings WHERE id = ?", first.closing_id)
    first_lines = rows(desk, "SELECT * FROM cash_count_lines WHERE closing_id = ?",
                       first.closing_id)
    till.clinic.clock.advance(minutes=20)
    reopen_day(desk, manager, first.closing_id, "a card payment was posted as cash")
    assert close_sheet(desk, till.clinic.cashier, TODAY).version == 2
    second = close_exactly(till, 28000, {till.methods.card: 5000})

    assert second.version == 2 and second.number == "000002"
    assert rows(desk, "SELECT * FROM day_closings WHERE id = ?", first.closing_id) == first_row
    assert rows(desk, "SELECT * FROM cash_count_lines WHERE closing_id = ?",
                first.closing_id) == first_lines
    old, new = day_closings(desk, till.clinic.cashier, TODAY)
    assert (old.version, old.reopened, old.reopened_by, old.reopen_reason) == (
        1, True, manager.name, "a card payment was posted as cash")
    assert (new.version, new.reopened, new.supersedes_number) == (2, False, first.number)
    assert old.counted_cash == new.counted_cash == 78000


def test_reopening_needs_a_manager_and_a_reason(till: Till, manager_approval: Approval) -> None:
    closed = close_exactly(till, 0)
    desk, cashier = till.clinic.desk, till.clinic.cashier
    before = dump(desk)
    with pytest.raises(ApprovalNeeded):
        reopen_day(desk, cashier, closed.closing_id, "forgot a payment")
    for who in (till.clinic.manager, cashier):  # the reason first, then who approves
        expect_field_error(desk, "reason", lambda who=who: reopen_day(
            desk, who, closed.closing_id, " "))
    assert dump(desk) == before
    reopen_day(desk, cashier, closed.closing_id, "forgot a payment", manager_approval)
    assert rows(desk, "SELECT reopened_by_id, reason FROM day_reopenings") == [
        (manager_approval.staff_id, "forgot a payment")]
    with pytest.raises(Conflict):  # already re-opened
        reopen_day(desk, till.clinic.manager, closed.closing_id, "again")


def test_the_handover_is_accepted_by_another_manager_under_their_own_login(
        till: Till) -> None:
    desk = till.clinic.desk
    closed = close_exactly(till, 0)
    before = dump(desk)
    with pytest.raises(PermissionDenied):  # a cashier is not the receiver
        accept_handover(desk, till.clinic.cashier, closed.closing_id)
    assert dump(desk) == before
    receiver = log_in(desk, *MANAGER_LOGIN)
    accept_handover(desk, receiver, closed.closing_id, "cash in the safe")
    (closing,) = day_closings(desk, till.clinic.cashier, TODAY)
    assert (closing.handed_to, closing.handover_note) == (receiver.name, "cash in the safe")
    before = dump(desk)
    with pytest.raises(Conflict):
        accept_handover(desk, receiver, closed.closing_id)
    assert dump(desk) == before


def test_nobody_accepts_their_own_close(till: Till) -> None:
    manager = till.clinic.manager
    _sheet, result = count(till, 50000, actor=manager)
    closed = close_on(till, result, actor=manager)
    before = dump(till.clinic.desk)
    with pytest.raises(PermissionDenied, match="another manager"):
        accept_handover(till.clinic.desk, manager, closed.closing_id)
    assert dump(till.clinic.desk) == before


def test_a_reopened_close_cannot_be_handed_over(till: Till) -> None:
    closed = close_exactly(till, 0)
    reopen_day(till.clinic.desk, till.clinic.manager, closed.closing_id, "recount")
    with pytest.raises(Conflict):
        accept_handover(till.clinic.desk, till.clinic.manager, closed.closing_id)


# --- several tills ---------------------------------------------------------------------------------

def test_each_cash_station_counts_its_own_money(till: Till) -> None:
    """Money posted without a station belongs to the clinic's first till."""
    takings(till)
    desk = till.clinic.desk
    with desk.db.write() as session:
        second = CashStation(name="2号收费台", sort_order=1)
        session.add(second)
        session.flush()
        station_id = second.id
        original = session.execute(
            Payment.__table__.select().where(Payment.method_id == till.methods.cash)).first()
        assert original is not None
    patient = till.new_patient()
    with desk.db.write() as session:
        session.add(Payment(idempotency_key="station-2", patient_id=patient,
                            method_id=till.methods.cash, amount=1234, is_deposit=True,
                            cash_station_id=station_id, business_date=TODAY,
                            created_at=till.clinic.clock.now(),
                            cashier_id=till.clinic.cashier.staff_id))
    with desk.db.read() as session:
        first_till = {t.method_id: t.taken for t in till_totals(session, TODAY, 1)}
        second_till = {t.method_id: t.taken for t in till_totals(session, TODAY, station_id)}
        clinic = {t.method_id: t.taken for t in till_totals(session, TODAY, None)}
    assert first_till[till.methods.cash] == 28000
    assert second_till[till.methods.cash] == 1234
    assert clinic[till.methods.cash] == 28000 + 1234
    sheet = close_sheet(desk, till.clinic.cashier, TODAY, station_id)
    result = record_count(desk, till.clinic.cashier, CountForm(
        TODAY, station_id, notes_for(50000 + 1230, sheet.denominations), {}, "500.00"))
    assert (result.expected_cash, result.cash_difference) == (51234, -4)
