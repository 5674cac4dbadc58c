"""What the cash desk reads: who waits to pay, who owes, and a visit's bill."""

from __future__ import annotations

from datetime import timedelta

import pytest

from clinic_desk.clock import FixedClock
from clinic_desk.models import Visit, VisitState
from clinic_desk.services.auth import approve
from clinic_desk.services.bills import (WAITING_DAYS, BillDiscount, BillLine, balances_of,
                                        bill, current_visit_id, patient_balances,
                                        waiting_to_pay)
from clinic_desk.services.cashdesk import add_discount
from clinic_desk.services.errors import NotFound

from tests.clinics import MANAGER_LOGIN, START
from .cash import Till


def test_visits_sent_to_the_cash_desk_wait_until_paid_in_full(till: Till,
                                                              clock: FixedClock) -> None:
    first, second, in_treatment = (till.patients.add(n) for n in ("张三", "李四", "王五"))
    late = till.visit(first)
    early = till.visit(second)
    still_open = till.visit(in_treatment)
    for visit in (late, early, still_open):
        till.charge(visit, till.items.filling)
    till.to_cashier(early)
    clock.advance(minutes=5)
    till.to_cashier(late)
    till.pay(second, None, till.cash("30.00"))  # an earlier part payment on account
    waiting = waiting_to_pay(till.clinic.desk)
    assert [(w.visit_id, w.patient_name, w.doctor_name, w.visit_total, w.due)
            for w in waiting] == [(late, "张三", "李建国", 28000, 28000),
                                  (early, "李四", "李建国", 28000, 25000)]
    till.pay(second, early, till.cash("250.00"))
    assert [w.visit_id for w in waiting_to_pay(till.clinic.desk)] == [late]


def test_with_nothing_typed_everyone_who_owes_largest_first(till: Till) -> None:
    small, large, settled, on_account = (till.patients.add(n)
                                         for n in ("张三", "李四", "王五", "赵六"))
    for patient, item in ((small, till.items.exam), (large, till.items.crown),
                          (settled, till.items.exam)):
        till.charge(till.visit(patient), item)
    till.pay(settled, None, till.cash("50.00"))
    till.pay(on_account, None, till.cash("100.00"), deposit=True)
    owing = patient_balances(till.clinic.desk)
    assert [(p.patient_id, p.name, p.balance) for p in owing] == [
        (large, "李四", 250000), (small, "张三", 5000)]
    assert [(p.patient_id, p.balance) for p in patient_balances(till.clinic.desk, "zl")] == [
        (on_account, -10000)]
    assert [p.patient_id for p in patient_balances(till.clinic.desk, "ww")] == [settled]
    till.pay(large, None, till.cash("2500.00"))
    assert [(p.patient_id, p.balance) for p in balances_of(till.clinic.desk, [large, small])] \
        == [(large, 0), (small, 5000)]


def test_a_bill_shows_the_visit_and_what_is_owed_in_all(till: Till) -> None:
    desk = till.clinic.desk
    patient = till.patients.add("张三")
    till.pay(patient, None, till.wechat("100.00"), deposit=True)
    visit = till.visit(patient)
    till.charge(visit, till.items.filling, 2, position_note="16, 17")
    till.charge(visit, till.items.exam, doctor_id=till.other_doctor)
    approval = approve(desk, *MANAGER_LOGIN)
    add_discount(desk, till.clinic.cashier, visit, percent=20, reason="员工家属",
                 approval=approval)
    till.pay(patient, visit, till.cash("200.00"))
    seen = bill(desk, patient, visit)
    assert (seen.patient_name, seen.visit_id, seen.visit_state, seen.doctor_id) == (
        "张三", visit, VisitState.OPEN, till.doctor)
    assert seen.visit_date == START.date()
    assert list(seen.lines) == [
        BillLine("补牙", "治疗", 2, 28000, 56000, "李建国", "16, 17",
                 charge_id=seen.lines[0].charge_id),
        BillLine("口腔检查", "检查", 1, 5000, 5000, "王丽", "", charge_id=seen.lines[1].charge_id)]
    assert seen.discounts == (BillDiscount("员工家属", 12200, 2000, "Zhou Min",
                                           discount_id=seen.discounts[0].discount_id),)
    assert (seen.visit_total, seen.visit_settled, seen.due) == (48800, 20000, 18800)
    assert seen.earlier_balance == -10000  # the deposit still on account

    on_account = bill(desk, patient, None)
    assert (on_account.lines, on_account.visit_total, on_account.due) == ((), 0, 18800)
    assert on_account.earlier_balance == 18800
    with pytest.raises(NotFound):
        bill(desk, till.patients.add("李四"), visit)


def test_a_patient_found_by_search_pays_for_the_visit_at_the_cash_desk(till: Till) -> None:
    patient = till.patients.add("张三")
    assert current_visit_id(till.clinic.desk, patient) is None
    visit = till.visit(patient)
    assert current_visit_id(till.clinic.desk, patient) == visit
    till.to_cashier(visit)
    assert current_visit_id(till.clinic.desk, patient) == visit
    till.finish(visit)
    assert current_visit_id(till.clinic.desk, patient) is None


def test_an_old_unpaid_visit_is_found_through_its_patient(till: Till) -> None:
    desk = till.clinic.desk
    patient = till.patients.add("张三")
    visit = till.visit(patient)
    till.charge(visit, till.items.exam)
    till.to_cashier(visit)
    assert [w.visit_id for w in waiting_to_pay(desk)] == [visit]
    with desk.db.write() as session:  # as if it had been left unpaid long ago
        session.get(Visit, visit).business_date = START.date() - timedelta(days=WAITING_DAYS + 1)
    assert waiting_to_pay(desk) == []
    assert current_visit_id(desk, patient) == visit
    assert [(p.patient_id, p.balance) for p in patient_balances(desk)] == [(patient, 5000)]
