"""A posted receipt read back for printing, and every printing of it recorded.

The receipt's figures were frozen when it was posted (total, paid today, balance after); its
items are the visit's charges and discounts as they stood at that moment, so a reprint years
later says what the original said, except that it is marked as a copy with its count.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clinic_desk.i18n import gettext as _
from clinic_desk.models import (Appointment, AppointmentStatus, Charge, Discount, DocumentPrint,
                                Patient, Payment, PaymentKind, PaymentMethod, PriceCategory,
                                Receipt, Staff)
from clinic_desk.services import audit
from clinic_desk.services.auth import Permission, require
from clinic_desk.services.context import Actor, Desk
from clinic_desk.services.errors import NotFound
from clinic_desk.services.settings import ClinicSettings, load_settings

MAX_PRINTER_NAME = 200


@dataclass(frozen=True)
class ReceiptItem:
    description: str
    category: str
    quantity: int
    unit_price: int
    amount: int
    doctor_name: str
    position_note: str


@dataclass(frozen=True)
class ReceiptReduction:
    """A discount on the receipt; `percent_basis_points` when it was given as a percentage."""

    reason: str
    amount: int
    percent_basis_points: int | None


@dataclass(frozen=True)
class ReceiptPaymentLine:
    """One payment of the receipt: two equal payments stay two lines."""

    method_name: str
    kind: PaymentKind
    amount: int
    card_type: str
    card_last4: str
    reference: str
    change_given: int | None


@dataclass(frozen=True)
class UpcomingAppointment:
    starts_at: datetime
    doctor_name: str


@dataclass(frozen=True)
class ReceiptData:
    """Everything a receipt prints, looked up; amounts in minor units.

    `prints` is how often it was printed so far, so also the copy number of the next print.
    """

    receipt_id: int
    number: str
    issued_at: datetime
    clinic: ClinicSettings
    patient_id: int
    patient_name: str
    record_number: str
    visit_id: int | None
    cashier_name: str
    items: tuple[ReceiptItem, ...]
    discounts: tuple[ReceiptReduction, ...]
    total_charged: int
    paid_today: int
    balance_after: int
    payments: tuple[ReceiptPaymentLine, ...]
    next_appointment: UpcomingAppointment | None
    prints: int

    @property
    def earlier_balance(self) -> int:
        """What the patient owed (negative: had on account) apart from this visit."""
        return self.balance_after + self.paid_today - self.total_charged

    @property
    def change_given(self) -> int | None:
        given = [p.change_given for p in self.payments if p.change_given is not None]
        return sum(given) if given else None


class _Reversible(Protocol):
    id: int


Entry = TypeVar("Entry", bound=_Reversible)


def _standing(rows: Sequence[tuple[Entry, ...]],
              reverses: Callable[[Entry], int | None]) -> list[tuple[Entry, ...]]:
    """The rows (an entry first, then what was looked up with it) as they stood: an entry
    and the correction's reversal of it cancel out."""
    reversed_ids = {target for row in rows if (target := reverses(row[0])) is not None}
    return [row for row in rows if reverses(row[0]) is None and row[0].id not in reversed_ids]


def staff_names(session: Session, staff_ids: set[int | None]) -> dict[int, str]:
    """Names of the given staff (None ignored), in one query."""
    ids = {i for i in staff_ids if i is not None}
    if not ids:
        return {}
    return dict(session.execute(select(Staff.id, Staff.full_name).where(Staff.id.in_(ids))).all())


def _items(session: Session, receipt: Receipt) -> tuple[list[ReceiptItem],
                                                         list[ReceiptReduction]]:
    if receipt.visit_id is None:  # a deposit or an earlier balance: no items
        return [], []
    charges = _standing(session.execute(
        select(Charge, PriceCategory.name, Staff.full_name)
        .outerjoin(PriceCategory, PriceCategory.id == Charge.category_id)
        .outerjoin(Staff, Staff.id == Charge.doctor_id)
        .where(Charge.visit_id == receipt.visit_id, Charge.created_at <= receipt.issued_at)
        .order_by(Charge.id)).all(), lambda c: c.reverses_charge_id)
    discounts = _standing(session.execute(
        select(Discount).where(Discount.visit_id == receipt.visit_id,
                               Discount.created_at <= receipt.issued_at).order_by(Discount.id)
    ).all(), lambda d: d.reverses_discount_id)
    items = [ReceiptItem(c.description, category or "", c.quantity, c.unit_price, c.amount,
                         doctor or "", c.position_note) for c, category, doctor in charges]
    reductions = [ReceiptReduction(d.reason, d.amount, d.percent_basis_points)
                  for d, in discounts]
    return items, reductions


def _payments(session: Session, receipt: Receipt) -> list[ReceiptPaymentLine]:
    rows = session.execute(
        select(Payment, PaymentMethod.name, PaymentMethod.kind).join(PaymentMethod)
        .where(Payment.receipt_id == receipt.id).order_by(Payment.id)).all()
    return [ReceiptPaymentLine(name, kind, p.amount, p.card_type, p.card_last4, p.reference,
                               p.change_given) for p, name, kind in rows]


def _next_appointment(session: Session, patient_id: int,
                      after: datetime) -> UpcomingAppointment | None:
    found = session.execute(
        select(Appointment.starts_at, Staff.full_name).join(Staff,
                                                            Staff.id == Appointment.doctor_id)
        .where(Appointment.patient_id == patient_id, Appointment.starts_at > after,
               Appointment.status.in_([AppointmentStatus.BOOKED, AppointmentStatus.CONFIRMED]))
        .order_by(Appointment.starts_at).limit(1)).first()
    return UpcomingAppointment(found[0], found[1]) if found else None


def _prints(session: Session, receipt_id: int) -> int:
    return int(session.execute(select(func.count(DocumentPrint.id)).where(
        DocumentPrint.receipt_id == receipt_id)).scalar_one())


def _receipt(session: Session, receipt_id: int) -> Receipt:
    receipt = session.get(Receipt, receipt_id)
    if receipt is None:
        raise NotFound(_("This receipt does not exist."))
    return receipt


def receipt_data(desk: Desk, receipt_id: int) -> ReceiptData:
    """The receipt as it is printed now: the next appointment as booked at this moment."""
    now = desk.clock.now()
    with desk.db.read() as session:
        found = session.execute(
            select(Receipt, Patient.name, Patient.record_number, Staff.full_name)
            .join(Patient, Patient.id == Receipt.patient_id)
            .join(Staff, Staff.id == Receipt.cashier_id).where(Receipt.id == receipt_id)).first()
        if found is None:
            raise NotFound(_("This receipt does not exist."))
        receipt, patient_name, record_number, cashier_name = found
        items, discounts = _items(session, receipt)
        return ReceiptData(
            receipt_id=receipt.id, number=receipt.number, issued_at=receipt.issued_at,
            clinic=load_settings(session), patient_id=receipt.patient_id,
            patient_name=patient_name, record_number=record_number, visit_id=receipt.visit_id,
            cashier_name=cashier_name, items=tuple(items), discounts=tuple(discounts),
            total_charged=receipt.total_charged, paid_today=receipt.paid_today,
            balance_after=receipt.balance_after, payments=tuple(_payments(session, receipt)),
            next_appointment=_next_appointment(session, receipt.patient_id, now),
            prints=_prints(session, receipt.id))


def record_print(desk: Desk, actor: Actor, receipt_id: int, printer_name: str) -> int:
    """Record that the receipt went to a printer; the copy number it got (0: the original,
    then 1, 2 ... for the reprints)."""
    require(actor, Permission.TAKE_PAYMENTS)
    now = desk.clock.now()
    with desk.db.write() as session:
        receipt = _receipt(session, receipt_id)
        copy = _prints(session, receipt.id)
        printer = printer_name.strip()[:MAX_PRINTER_NAME]
        session.add(DocumentPrint(receipt_id=receipt.id, copy_number=copy, printed_at=now,
                                  printed_by_id=actor.staff_id, printer_name=printer))
        audit.record(session, now, actor.staff_id, "receipt_printed", "receipt", receipt.id,
                     {"receipt": receipt.number, "copy": copy, "printer": printer})
        return copy


@dataclass(frozen=True)
class ReceiptSummary:
    """A line of the patient's receipts, to choose one to reprint."""

    receipt_id: int
    number: str
    issued_at: datetime
    paid_today: int
    balance_after: int
    prints: int


def patient_receipts(desk: Desk, patient_id: int) -> list[ReceiptSummary]:
    """The patient's receipts, newest first."""
    prints = (select(DocumentPrint.receipt_id, func.count(DocumentPrint.id).label("n"))
              .group_by(DocumentPrint.receipt_id).subquery())
    with desk.db.read() as session:
        rows = session.execute(
            select(Receipt, func.coalesce(prints.c.n, 0))
            .outerjoin(prints, prints.c.receipt_id == Receipt.id)
            .where(Receipt.patient_id == patient_id)
            .order_by(Receipt.issued_at.desc(), Receipt.id.desc())).all()
        return [ReceiptSummary(r.id, r.number, r.issued_at, r.paid_today, r.balance_after,
                               int(n)) for r, n in rows]
