"""What the cash desk reads: the visits waiting to pay, the patients who owe, and a bill (a
visit's charges and discounts with what the patient owes in all).

Plain snapshots for the screens; every figure comes from the append-only ledger.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, select, union_all
from sqlalchemy.orm import Session

from clinic_desk.i18n import gettext as _
from clinic_desk.models import (Charge, Discount, Patient, Payment, PriceCategory, QueueEntry,
                                Refund, Staff, Visit, VisitState)
from clinic_desk.services.cashdesk import existing_patient
from clinic_desk.services.context import Desk
from clinic_desk.services.errors import NotFound
from clinic_desk.services.ledger import patient_totals, visit_totals
from clinic_desk.services.patient_search import matching_ids
from clinic_desk.services.receipts import ReceiptItem, ReceiptReduction, staff_names
from clinic_desk.services.settings import clinic_today

OWING_LIMIT = 200
WAITING_DAYS = 31


def _signed_amounts() -> Any:
    """Every ledger row as (patient, amount owed because of it)."""
    return union_all(
        select(Charge.patient_id.label("patient_id"), Charge.amount.label("amount")),
        select(Discount.patient_id, -Discount.amount),
        select(Payment.patient_id, -Payment.amount),
        select(Refund.patient_id, Refund.amount)).subquery()


def _balances(patient_ids: list[int] | None) -> Select[Any]:
    ledger = _signed_amounts()
    query = select(ledger.c.patient_id, func.sum(ledger.c.amount).label("balance")).group_by(
        ledger.c.patient_id)
    if patient_ids is not None:
        query = query.where(ledger.c.patient_id.in_(patient_ids))
    return query


@dataclass(frozen=True)
class WaitingVisit:
    """A visit whose treatment is done and which has not been paid in full."""

    visit_id: int
    patient_id: int
    patient_name: str
    record_number: str
    doctor_name: str
    done_at: datetime
    visit_total: int  # the visit's charges less its discounts
    due: int          # what the patient owes in all, this visit included


def waiting_to_pay(desk: Desk) -> list[WaitingVisit]:
    """Visits of the last `WAITING_DAYS` days sent to the cash desk, first come first served.

    Read at every change on any PC, so it reads by the visits' (day, state) index instead of
    every visit of the clinic's history; an older unpaid visit is found through its patient,
    whose balance shows in the search.
    """
    done = (select(func.max(QueueEntry.done_at)).where(QueueEntry.visit_id == Visit.id)
            .correlate(Visit).scalar_subquery())
    with desk.db.read() as session:
        since = clinic_today(session, desk.clock.now()) - timedelta(days=WAITING_DAYS)
        rows = session.execute(
            select(Visit, Patient.name, Patient.record_number, Staff.full_name, done)
            .join(Patient, Patient.id == Visit.patient_id)
            .outerjoin(Staff, Staff.id == Visit.doctor_id)
            .where(Visit.business_date >= since, Visit.state == VisitState.TO_CASHIER)).all()
        if not rows:
            return []
        patients = list({visit.patient_id for visit, *_rest in rows})
        visits = [visit.id for visit, *_rest in rows]
        due = dict(session.execute(_balances(patients)).all())
        charged = _by_visit(session, Charge.visit_id, Charge.amount, visits)
        discounted = _by_visit(session, Discount.visit_id, Discount.amount, visits)
        waiting = [WaitingVisit(
            visit.id, visit.patient_id, name, record, doctor or "",
            done_at or visit.checked_in_at,
            charged.get(visit.id, 0) - discounted.get(visit.id, 0),
            int(due.get(visit.patient_id, 0))) for visit, name, record, doctor, done_at in rows]
    return sorted(waiting, key=lambda w: (w.done_at, w.visit_id))


def _by_visit(session: Session, visit_column: Any, amount: Any,
              visits: list[int]) -> dict[int, int]:
    return {visit: int(total) for visit, total in session.execute(
        select(visit_column, func.sum(amount)).where(visit_column.in_(visits))
        .group_by(visit_column)).all()}


@dataclass(frozen=True)
class PatientBalance:
    patient_id: int
    name: str
    record_number: str
    phone: str
    balance: int  # positive: owed to the clinic; negative: money on account


def _listed(session: Session, order: list[int],
            balances: dict[int, int] | None = None) -> list[PatientBalance]:
    """The patients of `order`, in that order, with their balances (read when not given)."""
    if balances is None:
        balances = dict(session.execute(_balances(order)).all())
    people = {p.id: p for p in session.execute(
        select(Patient.id, Patient.name, Patient.record_number, Patient.phone)
        .where(Patient.id.in_(order))).all()}
    return [PatientBalance(i, people[i].name, people[i].record_number, people[i].phone,
                           int(balances.get(i, 0))) for i in order if i in people]


def patient_balances(desk: Desk, text: str = "", limit: int = OWING_LIMIT) -> list[PatientBalance]:
    """With nothing typed: everyone who owes, the largest debts first. With a search: the
    patients found (owing or not, so a deposit can be taken from anyone), best match first.

    "Everyone who owes" sums the whole ledger, which grows with the years: screens read it
    when asked, and keep the rows fresh with `balances_of`.
    """
    with desk.db.read() as session:
        if text.strip():
            return _listed(session, matching_ids(session, text, limit))
        owing = _balances(None).subquery()
        found = session.execute(
            select(owing.c.patient_id, owing.c.balance).where(owing.c.balance > 0)
            .order_by(owing.c.balance.desc(), owing.c.patient_id).limit(limit)).all()
        return _listed(session, [patient_id for patient_id, _balance in found], dict(found))


def balances_of(desk: Desk, patient_ids: list[int]) -> list[PatientBalance]:
    """These patients' balances now, in this order: a list kept fresh in indexed reads."""
    with desk.db.read() as session:
        return _listed(session, patient_ids)


@dataclass(frozen=True)
class BillLine(ReceiptItem):
    """A charge on the bill: as the receipt will print it, and which charge it is."""

    charge_id: int = field(kw_only=True)


@dataclass(frozen=True)
class BillDiscount(ReceiptReduction):
    """A discount on the bill: as the receipt will print it, who approved it, which it is."""

    approved_by: str
    discount_id: int = field(kw_only=True)


@dataclass(frozen=True)
class Bill:
    """One patient at the cash desk: the chosen visit's items (none when paying an earlier
    balance or a deposit) and what the patient owes in all."""

    patient_id: int
    patient_name: str
    record_number: str
    visit_id: int | None
    visit_date: date | None
    visit_state: VisitState | None
    doctor_id: int | None
    lines: tuple[BillLine, ...]
    discounts: tuple[BillDiscount, ...]
    visit_total: int      # the visit's charges less its discounts
    visit_settled: int    # paid on the visit, less what was refunded of it
    due: int              # the patient's whole balance: what "pay in full" means

    @property
    def earlier_balance(self) -> int:
        """Owed apart from this visit's open part (negative: money on account, a deposit)."""
        return self.due - (self.visit_total - self.visit_settled)


def current_visit_id(desk: Desk, patient_id: int) -> int | None:
    """The visit a patient found by search is most likely paying for: one waiting at the
    cash desk, else one still in the clinic."""
    with desk.db.read() as session:
        for state in (VisitState.TO_CASHIER, VisitState.OPEN):
            found = session.execute(
                select(Visit.id).where(Visit.patient_id == patient_id, Visit.state == state)
                .order_by(Visit.checked_in_at.desc()).limit(1)).scalar_one_or_none()
            if found is not None:
                return found
    return None


def bill(desk: Desk, patient_id: int, visit_id: int | None) -> Bill:
    with desk.db.read() as session:
        patient = existing_patient(session, patient_id)
        visit = session.get(Visit, visit_id) if visit_id is not None else None
        if visit_id is not None and (visit is None or visit.patient_id != patient_id):
            raise NotFound(_("This visit no longer exists."))
        charges = session.execute(select(Charge, PriceCategory.name).outerjoin(
            PriceCategory, PriceCategory.id == Charge.category_id).where(
            Charge.visit_id == visit_id).order_by(Charge.id)).all() if visit else []
        discounts = session.execute(select(Discount).where(Discount.visit_id == visit_id)
                                    .order_by(Discount.id)).scalars().all() if visit else []
        names = staff_names(session, {c.doctor_id for c, _cat in charges}
                       | {d.approved_by_id for d in discounts})
        totals = visit_totals(session, visit.id) if visit else None
        return Bill(
            patient_id=patient.id, patient_name=patient.name,
            record_number=patient.record_number, visit_id=visit.id if visit else None,
            visit_date=visit.business_date if visit else None,
            visit_state=visit.state if visit else None,
            doctor_id=visit.doctor_id if visit else None,
            lines=tuple(BillLine(c.description, category or "", c.quantity, c.unit_price,
                                 c.amount, names.get(c.doctor_id or 0, ""), c.position_note,
                                 charge_id=c.id) for c, category in charges),
            discounts=tuple(BillDiscount(d.reason, d.amount, d.percent_basis_points,
                                         names.get(d.approved_by_id or 0, ""), discount_id=d.id)
                            for d in discounts),
            visit_total=totals.charged - totals.discounted if totals else 0,
            visit_settled=totals.paid - totals.refunded if totals else 0,
            due=patient_totals(session, patient.id).balance)

