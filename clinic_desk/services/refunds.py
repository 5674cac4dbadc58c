"""Refunds (退款): money paid back out of a payment, justified, approved and signed for.

A refund is its own append-only row pointing at the payment it comes out of; the payment
stays as it was. What is left to refund of a payment is its amount, less its reversal by
the correction register, less the refunds already made out of it. That is worked out
inside the refund's own write transaction (BEGIN IMMEDIATE), so two desks refunding the
same payment at once are served one after the other and together never pay back more
than was paid.

Refunding an item (a charge) also takes the refunded part of the item off what the patient
owes, with a reversing charge: the patient neither owes the item nor keeps its money, and
the balance (charges − discounts − payments + refunds) does not move. Refunding an amount
gives money back without touching the charges: money on account comes back to zero, any
other refund is owed again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import cast

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session, aliased

from clinic_desk.i18n import gettext as _
from clinic_desk.models import (Charge, DocumentPrint, Patient, Payment, PaymentKind,
                                PaymentMethod, Receipt, Refund, RefundReason, Role, Staff,
                                StaffRole, Visit, VisitState)
from clinic_desk.money import AmountError, format_money, parse_amount
from clinic_desk.services import audit
from clinic_desk.services.auth import Approval, Permission, permissions_of, require
from clinic_desk.services.cashdesk import existing_patient
from clinic_desk.services.context import Actor, Desk
from clinic_desk.services.day_lock import require_open
from clinic_desk.services.errors import FieldErrors, NotFound, PermissionDenied, ValidationError
from clinic_desk.services.ledger import patient_totals
from clinic_desk.services.numbering import take_next
from clinic_desk.services.receipts import MAX_PRINTER_NAME
from clinic_desk.services.settings import ClinicSettings, clinic_today, load_settings

REFUND_SERIES = "refund"
#: The audit action of a refund, also what the patient's history calls it.
REFUND_RECORDED = "refund_recorded"
MAX_TEXT = 500
MAX_KEY = 64
#: Visits that never happened as visits: the patient left unseen or booked instead.
_NOT_SEEN = (VisitState.LEFT, VisitState.CONVERTED)


# --- what can be refunded -------------------------------------------------------------------

def covers(payment_visit_id: int | None, charge_visit_id: int | None) -> bool:
    """Whether an item can be refunded out of a payment: the payment was for the item's
    visit, or for no visit in particular (an old balance, a deposit)."""
    return payment_visit_id is None or payment_visit_id == charge_visit_id


@dataclass(frozen=True)
class RefundablePayment:
    payment_id: int
    receipt_number: str
    paid_at: datetime
    visit_id: int | None
    method_id: int
    method_name: str
    method_kind: PaymentKind
    amount: int
    maximum: int  # what is left to refund
    doctor_id: int | None  # of the visit paid for: who usually states the reason


@dataclass(frozen=True)
class RefundableItem:
    charge_id: int
    visit_id: int | None
    business_date: date
    description: str
    doctor_id: int | None
    amount: int
    maximum: int  # what is left of the item


@dataclass(frozen=True)
class Refundable:
    """A patient's payments and items that still have something to refund, newest first."""

    payments: tuple[RefundablePayment, ...]
    items: tuple[RefundableItem, ...]

    def items_for(self, payment: RefundablePayment) -> list[RefundableItem]:
        return [item for item in self.items if covers(payment.visit_id, item.visit_id)]


def _sums(session: Session, amount: ColumnElement[int], key: ColumnElement[int | None],
          keys: Iterable[int]) -> dict[int, int]:
    wanted = list(keys)
    if not wanted:
        return {}
    return {k: int(total) for k, total in session.execute(
        select(key, func.sum(amount)).where(key.in_(wanted)).group_by(key))}


def _payments_left(session: Session, payments: list[Payment]) -> dict[int, int]:
    ids = [p.id for p in payments]
    reversed_ = _sums(session, Payment.amount, Payment.reverses_payment_id, ids)
    refunded = _sums(session, Refund.amount, Refund.payment_id, ids)
    return {p.id: max(0, p.amount + reversed_.get(p.id, 0) - refunded.get(p.id, 0))
            for p in payments}


def _charges_left(session: Session, charges: list[Charge]) -> dict[int, int]:
    """Reversing charges (corrections, earlier item refunds) carry negative amounts."""
    reversed_ = _sums(session, Charge.amount, Charge.reverses_charge_id, [c.id for c in charges])
    return {c.id: max(0, c.amount + reversed_.get(c.id, 0)) for c in charges}


def refundable(desk: Desk, patient_id: int) -> Refundable:
    """What the refund dialog offers: payments with money left and items with price left."""
    with desk.db.read() as session:
        rows = session.execute(
            select(Payment, PaymentMethod, Receipt.number, Visit.doctor_id).join(PaymentMethod)
            .outerjoin(Receipt, Receipt.id == Payment.receipt_id)
            .outerjoin(Visit, Visit.id == Payment.visit_id)
            .where(Payment.patient_id == patient_id, Payment.reverses_payment_id.is_(None),
                   Payment.amount > 0)
            .order_by(Payment.created_at.desc(), Payment.id.desc())).all()
        left = _payments_left(session, [row[0] for row in rows])
        payments = tuple(
            RefundablePayment(p.id, number or "", p.created_at, p.visit_id, m.id, m.name, m.kind,
                              p.amount, left[p.id], doctor_id)
            for p, m, number, doctor_id in rows if left[p.id] > 0)
        charges = list(session.execute(
            select(Charge).where(Charge.patient_id == patient_id,
                                 Charge.reverses_charge_id.is_(None), Charge.amount > 0)
            .order_by(Charge.created_at.desc(), Charge.id.desc())).scalars())
        item_left = _charges_left(session, charges)
        items = tuple(
            RefundableItem(c.id, c.visit_id, c.business_date, c.description, c.doctor_id,
                           c.amount, item_left[c.id])
            for c in charges if item_left[c.id] > 0
            and any(covers(p.visit_id, c.visit_id) for p in payments))
        return Refundable(payments, items)


# --- recording a refund ---------------------------------------------------------------------

@dataclass(frozen=True)
class RefundRequest:
    """What the desk filled in; `method_id` None pays back the way the patient paid."""

    patient_id: int
    payment_id: int | None
    amount_text: str
    reason_id: int | None
    reason_detail: str
    doctor_id: int | None
    receiver_name: str
    opinion: str  # the approving manager's
    idempotency_key: str
    charge_id: int | None = None
    method_id: int | None = None
    cash_out_confirmed: bool = False  # cash paid out for a card or mobile payment


@dataclass(frozen=True)
class RefundCheck:
    """A request that passed every check, as the manager is asked to approve it."""

    amount: int
    maximum: int
    method_id: int
    balance_after: int


@dataclass(frozen=True)
class RecordedRefund:
    refund_id: int
    number: str
    amount: int
    balance_after: int
    repeated: bool = False  # the key was posted before: this is that refund


@dataclass(frozen=True)
class _Checked:
    payment: Payment
    charge: Charge | None
    item_left: int
    amount: int
    maximum: int
    reason: RefundReason
    detail: str
    doctor_id: int
    method: PaymentMethod
    receiver: str
    opinion: str


def _text(errors: FieldErrors, field: str, text: str, missing: str,
          limit: int = MAX_TEXT) -> str:
    cleaned = text.strip()
    if not cleaned:
        errors.add(field, missing)
    elif len(cleaned) > limit:
        errors.add(field, _("At most {count} characters.").format(count=limit))
    return cleaned


def _corrected(session: Session, model: type[Payment | Charge], entry_id: int) -> bool:
    """Whether the correction register reversed the entry (a refund reverses items too)."""
    reverses = Payment.reverses_payment_id if model is Payment else Charge.reverses_charge_id
    return session.execute(select(model.id).where(
        reverses == entry_id, model.correction_id.is_not(None))).first() is not None


def _is_doctor(session: Session, staff_id: int | None) -> bool:
    return staff_id is not None and session.execute(
        select(StaffRole.id).join(Staff).where(StaffRole.staff_id == staff_id,
                                               StaffRole.role == Role.DOCTOR,
                                               Staff.active.is_(True))).first() is not None


def _check(session: Session, request: RefundRequest, patient: Patient,
           currency: str) -> _Checked:
    """Every field of the request, each wrong one named; raises before anything is written."""
    errors = FieldErrors()
    payment = session.get(Payment, request.payment_id) if request.payment_id else None
    maximum = 0
    if payment is None or payment.patient_id != patient.id or payment.amount <= 0 \
            or payment.reverses_payment_id is not None:
        errors.add("payment_id", _("Choose the payment the money goes back from."))
        payment = None
    else:
        maximum = _payments_left(session, [payment])[payment.id]
        if maximum == 0:
            errors.add("payment_id", _("This payment was reversed by a correction: nothing is "
                                       "left to refund.")
                       if _corrected(session, Payment, payment.id)
                       else _("This payment has already been refunded in full."))
    charge = session.get(Charge, request.charge_id) if request.charge_id else None
    item_left = 0
    if request.charge_id is not None:
        if charge is None or charge.patient_id != patient.id \
                or charge.reverses_charge_id is not None or charge.amount <= 0:
            errors.add("charge_id", _("Choose an item of this patient."))
            charge = None
        elif payment is not None and not covers(payment.visit_id, charge.visit_id):
            errors.add("charge_id", _("This item was not paid with the chosen payment."))
        else:
            item_left = _charges_left(session, [charge])[charge.id]
            if item_left == 0:
                errors.add("charge_id", _("This item was reversed by a correction: nothing is "
                                          "left to refund.")
                           if _corrected(session, Charge, charge.id)
                           else _("This item has already been refunded in full."))
            maximum = min(maximum, item_left)
    amount = 0
    try:
        amount = parse_amount(request.amount_text, currency)
    except AmountError as error:
        errors.add("amount", error.message)
    else:
        if amount <= 0:
            errors.add("amount", _("The refund must be more than zero."))
        elif payment is not None and maximum and amount > maximum:
            errors.add("amount", _("More than can be refunded: at most {maximum}.").format(
                maximum=format_money(maximum, currency)))
    reason = session.get(RefundReason, request.reason_id) if request.reason_id else None
    if reason is None or not reason.active:
        errors.add("reason_id", _("Choose the reason for the refund."))
    detail = _text(errors, "reason_detail", request.reason_detail,
                   _("Describe the reason in detail."))
    if not _is_doctor(session, request.doctor_id):
        errors.add("doctor_id", _("Choose the doctor who states the reason."))
    method = None
    if payment is not None:
        original = session.get(PaymentMethod, payment.method_id)
        method = session.get(PaymentMethod, request.method_id or payment.method_id)
        if original is None or method is None or (method.id != original.id
                              and (method.kind != PaymentKind.CASH or not method.active)):
            errors.add("method_id", _("Refund the way the patient paid, or in cash."))
        elif method.id != original.id and original.kind != PaymentKind.CASH \
                and not request.cash_out_confirmed:
            errors.add("cash_out_confirmed", _(
                "The patient paid by {method}: confirm that the refund is paid out in "
                "cash.").format(method=original.name))
    receiver = " ".join(request.receiver_name.split())
    if not receiver:
        errors.add("receiver_name", _("Enter who receives the money."))
    elif receiver != patient.name:
        errors.add("receiver_name", _("The patient receives the refund and signs for it: "
                                      "enter {name}.").format(name=patient.name))
    opinion = _text(errors, "opinion", request.opinion, _("Enter the manager's opinion."))
    errors.raise_if_any()
    # Every None below was reported as a field error above.
    return _Checked(payment=cast(Payment, payment), charge=charge, item_left=item_left,
                    amount=amount, maximum=maximum, reason=cast(RefundReason, reason),
                    detail=detail, doctor_id=cast(int, request.doctor_id),
                    method=cast(PaymentMethod, method), receiver=receiver, opinion=opinion)


def _approver(session: Session, approval: Approval | None) -> int:
    if approval is None:
        raise ValidationError.single("approval", _("A manager must approve the refund."))
    staff = session.get(Staff, approval.staff_id)
    if staff is None or not staff.active or \
            Permission.APPROVE not in permissions_of(staff.role_set):
        raise PermissionDenied(_("Only a manager can approve this."))
    return staff.id


def _key(request: RefundRequest) -> str:
    key = request.idempotency_key.strip()
    if not key or len(key) > MAX_KEY:
        raise ValueError(f"a refund needs a client-made key of at most {MAX_KEY} characters")
    return key


def check_refund(desk: Desk, actor: Actor, request: RefundRequest) -> RefundCheck:
    """Check a refund before the manager is called over; writes nothing."""
    require(actor, Permission.RECORD_REFUNDS)
    with desk.db.read() as session:
        require_open(session, clinic_today(session, desk.clock.now()))
        patient = existing_patient(session, request.patient_id)
        checked = _check(session, request, patient, load_settings(session).currency)
        balance = patient_totals(session, patient.id).balance
    return RefundCheck(amount=checked.amount, maximum=checked.maximum,
                       method_id=checked.method.id,
                       balance_after=balance + (0 if checked.charge else checked.amount))


def record_refund(desk: Desk, actor: Actor, request: RefundRequest,
                  approval: Approval | None) -> RecordedRefund:
    """Pay money back to the patient, with the manager's approval given on the spot.

    Posting the same key again (a retry, a double click) returns the first refund.
    """
    require(actor, Permission.RECORD_REFUNDS)
    key = _key(request)
    now = desk.clock.now()
    with desk.db.write() as session:
        earlier = session.execute(select(Refund).where(Refund.idempotency_key == key)
                                  ).scalar_one_or_none()
        if earlier is not None:
            return RecordedRefund(earlier.id, earlier.number, earlier.amount,
                                  patient_totals(session, earlier.patient_id).balance,
                                  repeated=True)
        today = clinic_today(session, now)
        require_open(session, today)
        patient = existing_patient(session, request.patient_id)
        checked = _check(session, request, patient, load_settings(session).currency)
        approver = _approver(session, approval)
        charge = checked.charge
        reversing = None
        if charge is not None:
            # A refund that empties the item takes its quantity back too, so counts of items
            # sold stay true; a part refund lowers only the amount.
            reversing = Charge(
                patient_id=patient.id, visit_id=charge.visit_id,
                price_item_id=charge.price_item_id, category_id=charge.category_id,
                description=charge.description,
                quantity=-charge.quantity if checked.amount == checked.item_left else 0,
                unit_price=charge.unit_price, amount=-checked.amount, doctor_id=charge.doctor_id,
                position_note=charge.position_note, business_date=today, created_at=now,
                created_by_id=actor.staff_id, reverses_charge_id=charge.id)
            session.add(reversing)
        payment = checked.payment
        refund = Refund(
            number=f"{take_next(session, REFUND_SERIES):08d}", idempotency_key=key,
            payment_id=payment.id, charge_id=charge.id if charge else None,
            patient_id=patient.id, visit_id=charge.visit_id if charge else payment.visit_id,
            method_id=checked.method.id, amount=checked.amount, reason_id=checked.reason.id,
            reason_detail=checked.detail, doctor_id=checked.doctor_id, approved_by_id=approver,
            approval_opinion=checked.opinion, receiver_name=checked.receiver,
            cash_station_id=payment.cash_station_id, business_date=today, created_at=now,
            cashier_id=actor.staff_id)
        session.add(refund)
        session.flush()
        balance = patient_totals(session, patient.id).balance
        audit.record(session, now, actor.staff_id, REFUND_RECORDED, "refund", refund.id, {
            "number": refund.number, "patient_id": patient.id, "payment_id": payment.id,
            "charge_id": refund.charge_id,
            "reversing_charge_id": reversing.id if reversing else None,
            "amount": refund.amount, "method_id": refund.method_id,
            "reason_id": refund.reason_id, "doctor_id": refund.doctor_id,
            "receiver": refund.receiver_name, "opinion": refund.approval_opinion,
            "balance_after": balance}, reason=refund.reason_detail, approved_by_id=approver)
        return RecordedRefund(refund.id, refund.number, refund.amount, balance)


# --- the register and the slip --------------------------------------------------------------

@dataclass(frozen=True)
class RefundRegisterRow:
    """One line of the refund register (退款登记本); amounts in minor units."""

    refund_id: int
    number: str
    refunded_at: datetime
    business_date: date
    patient_id: int
    patient_name: str
    record_number: str
    first_visit: date | None
    reason: str
    reason_detail: str
    item: str  # the refunded item; empty for a refunded amount
    total_paid: int  # all the patient had paid when the refund was made
    amount: int
    method_name: str
    is_cash: bool
    doctor_name: str
    manager_name: str
    opinion: str
    cashier_name: str
    receiver_name: str
    receipt_number: str  # of the payment the money came out of


def _register_rows(session: Session, *conditions: ColumnElement[bool]) -> list[RefundRegisterRow]:
    doctor, manager, cashier = aliased(Staff), aliased(Staff), aliased(Staff)
    first_visit = select(func.min(Visit.business_date)).where(
        Visit.patient_id == Refund.patient_id, Visit.state.not_in(_NOT_SEEN)).scalar_subquery()
    total_paid = select(func.coalesce(func.sum(Payment.amount), 0)).where(
        Payment.patient_id == Refund.patient_id,
        Payment.created_at <= Refund.created_at).scalar_subquery()
    paid_from = aliased(Payment)
    query = (
        select(Refund, Patient.name, Patient.record_number, RefundReason.name, PaymentMethod.name,
               PaymentMethod.kind, doctor.full_name, manager.full_name, cashier.full_name,
               Charge.description, Receipt.number, first_visit, total_paid)
        .join(Patient, Patient.id == Refund.patient_id)
        .join(PaymentMethod, PaymentMethod.id == Refund.method_id)
        .join(manager, manager.id == Refund.approved_by_id)
        .join(cashier, cashier.id == Refund.cashier_id)
        .join(paid_from, paid_from.id == Refund.payment_id)
        .outerjoin(Receipt, Receipt.id == paid_from.receipt_id)
        .outerjoin(RefundReason, RefundReason.id == Refund.reason_id)
        .outerjoin(doctor, doctor.id == Refund.doctor_id)
        .outerjoin(Charge, Charge.id == Refund.charge_id)
        .where(*conditions).order_by(Refund.created_at, Refund.id))
    return [RefundRegisterRow(
        refund_id=r.id, number=r.number, refunded_at=r.created_at,
        business_date=r.business_date, patient_id=r.patient_id, patient_name=patient_name,
        record_number=record_number, first_visit=first, reason=reason or "",
        reason_detail=r.reason_detail, item=item or "", total_paid=int(paid), amount=r.amount,
        method_name=method_name, is_cash=method_kind == PaymentKind.CASH,
        doctor_name=doctor_name or "", manager_name=manager_name, opinion=r.approval_opinion,
        cashier_name=cashier_name, receiver_name=r.receiver_name, receipt_number=receipt or "")
        for (r, patient_name, record_number, reason, method_name, method_kind, doctor_name,
             manager_name, cashier_name, item, receipt, first, paid) in session.execute(query)]


def refund_register(desk: Desk, start: date, end: date, doctor_id: int | None = None,
                    reason_id: int | None = None) -> list[RefundRegisterRow]:
    """The refunds of the clinic's days `start` to `end` (both included), oldest first."""
    conditions = [Refund.business_date >= start, Refund.business_date <= end]
    if doctor_id is not None:
        conditions.append(Refund.doctor_id == doctor_id)
    if reason_id is not None:
        conditions.append(Refund.reason_id == reason_id)
    with desk.db.read() as session:
        return _register_rows(session, *conditions)


def patient_refunds(session: Session, patient_id: int) -> list[RefundRegisterRow]:
    """A patient's refunds, for the patient's record and visit history."""
    return _register_rows(session, Refund.patient_id == patient_id)


@dataclass(frozen=True)
class RefundSlipData:
    """A recorded refund as its slip prints it; `prints` is how often it was printed so far,
    so also the copy number of the next print."""

    refund: RefundRegisterRow
    clinic: ClinicSettings
    prints: int


def _prints(session: Session, refund_id: int) -> int:
    return int(session.execute(select(func.count()).select_from(DocumentPrint).where(
        DocumentPrint.refund_id == refund_id)).scalar_one())


def refund_slip_data(desk: Desk, refund_id: int) -> RefundSlipData:
    """The slip as it prints next: the original until it was printed once, then copies."""
    with desk.db.read() as session:
        found = _register_rows(session, Refund.id == refund_id)
        if not found:
            raise NotFound(_("This refund no longer exists."))
        return RefundSlipData(found[0], load_settings(session), _prints(session, refund_id))


def record_print(desk: Desk, actor: Actor, refund_id: int, printer_name: str) -> int:
    """Note that the slip was printed; returns its copy number (0: the original)."""
    require(actor, Permission.RECORD_REFUNDS)
    now = desk.clock.now()
    with desk.db.write() as session:
        if session.get(Refund, refund_id) is None:
            raise NotFound(_("This refund no longer exists."))
        copy_number = _prints(session, refund_id)
        printer = printer_name.strip()[:MAX_PRINTER_NAME]
        session.add(DocumentPrint(refund_id=refund_id, copy_number=copy_number, printed_at=now,
                                  printed_by_id=actor.staff_id, printer_name=printer))
        audit.record(session, now, actor.staff_id, "refund_slip_printed", "refund", refund_id,
                     {"copy": copy_number, "printer": printer})
        return copy_number
