"""The correction register (更改登记): how a wrong charge, discount or payment is put right.

Money rows are never edited. A correction is one transaction that posts
* the reversing entry: the wrong entry's figures with the sign turned, pointing at it
  (`reverses_*_id`), so every sum over the ledger nets the wrong entry out;
* the right entry, when there is one (a payment posted twice has none);
* the numbered register entry: what was wrong, why, how it was corrected, the cashier and the
  manager who approved it on the spot; and its audit entry.

Both entries are dated on the day of the correction, which must be open: a closed day keeps
the figures that were counted, and the correction shows in the day it was made.

A receipt's figures are frozen when it is issued, so a reversed payment leaves its receipt as
printed (the register names that receipt); the right payment gets a receipt of its own, with
the next number, for the patient to keep instead.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import ClassVar

from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from clinic_desk.i18n import N_, format_date, gettext as _
from clinic_desk.models import (Charge, Correction, Discount, Patient, Payment, PaymentMethod,
                                Receipt, Refund, Staff, Visit)
from clinic_desk.money import AmountError, format_money, parse_amount
from clinic_desk.services import audit
from clinic_desk.services.auth import Approval, Permission, permissions_of, require
from clinic_desk.services.cashdesk import (ApprovalNeeded, ChargeLine, CheckedPart, PaymentPart,
                                           ReferenceAlreadyUsed, check_charge_line,
                                           check_payment_part, existing_patient, issue_receipt)
from clinic_desk.services.context import Actor, Desk
from clinic_desk.services.day_lock import require_open
from clinic_desk.services.errors import FieldErrors, NotFound, PermissionDenied
from clinic_desk.services.ledger import Totals, patient_totals, visit_totals
from clinic_desk.services.numbering import take_next
from clinic_desk.services.settings import clinic_today, load_settings

CORRECTION_SERIES = "correction"
MAX_TEXT = 500
MAX_DISCOUNT_REASON = 300

_DISCOUNTS_EXCEED = N_("The visit's discounts would come to more than its charges: correct "
                       "the discount first.")


class EntryKind(enum.StrEnum):
    PAYMENT = "payment"
    CHARGE = "charge"
    DISCOUNT = "discount"


ENTRY_KIND_NAMES = {EntryKind.PAYMENT: N_("Payment"), EntryKind.CHARGE: N_("Charge"),
                    EntryKind.DISCOUNT: N_("Discount")}


# --- entries as the register and the dialog show them ----------------------------------------

@dataclass(frozen=True)
class PostedEntry:
    """One ledger row, names looked up; `amount` as posted (a reversal's is negative)."""

    entry_id: int
    amount: int
    patient_id: int
    patient_name: str
    record_number: str
    visit_id: int | None
    visit_date: date | None
    posted_at: datetime
    business_date: date


@dataclass(frozen=True)
class PaymentEntry(PostedEntry):
    kind: ClassVar[EntryKind] = EntryKind.PAYMENT
    method_id: int
    method_name: str
    card_type: str
    card_last4: str
    reference: str
    receipt_number: str
    is_deposit: bool


@dataclass(frozen=True)
class ChargeEntry(PostedEntry):
    kind: ClassVar[EntryKind] = EntryKind.CHARGE
    price_item_id: int | None
    item_name: str
    quantity: int
    unit_price: int
    doctor_id: int | None
    doctor_name: str
    position_note: str


@dataclass(frozen=True)
class DiscountEntry(PostedEntry):
    kind: ClassVar[EntryKind] = EntryKind.DISCOUNT
    reason: str


LedgerEntry = PaymentEntry | ChargeEntry | DiscountEntry


def describe_entry(entry: LedgerEntry, currency: str, seen_from: int | None = None) -> str:
    """One line saying what the entry posted, in the language in use when it is called.

    Shown among the entries of patient `seen_from`, an entry of another patient (a payment
    moved to the patient it belonged to) names that patient.
    """
    money = format_money(entry.amount, currency)
    if isinstance(entry, PaymentEntry):
        parts = [f"{entry.method_name} {money}"]
        if entry.card_last4:
            parts.append(f"{entry.card_type} ****{entry.card_last4}".strip())
        if entry.reference:
            parts.append(_("Ref. {reference}").format(reference=entry.reference))
        if entry.receipt_number:
            parts.append(_("Receipt {number}").format(number=entry.receipt_number))
    elif isinstance(entry, ChargeEntry):
        parts = [f"{entry.item_name} × {entry.quantity} {money}"]
        if entry.doctor_name:
            parts.append(_("Dr {name}").format(name=entry.doctor_name))
        if entry.position_note:
            parts.append(_("Position: {note}").format(note=entry.position_note))
    else:
        parts = [_("Discount {amount}").format(amount=money)]
        if entry.reason:
            parts.append(entry.reason)
    if entry.visit_date is not None:
        parts.append(_("Visit of {date}").format(date=format_date(entry.visit_date, "short")))
    elif isinstance(entry, PaymentEntry):
        parts.append(_("On account"))
    if seen_from is not None and entry.patient_id != seen_from:
        parts.insert(0, f"{entry.patient_name} ({entry.record_number})")
    return " · ".join(parts)


def _staff_name(session: Session, staff_id: int | None) -> str:
    staff = session.get(Staff, staff_id) if staff_id is not None else None
    return staff.full_name if staff is not None else ""


def _posted(session: Session, row: Payment | Charge | Discount) -> dict[str, object]:
    """The fields every entry has; `session.get` keeps each patient and visit loaded once."""
    patient = existing_patient(session, row.patient_id)
    visit = session.get(Visit, row.visit_id) if row.visit_id is not None else None
    return {"entry_id": row.id, "amount": row.amount, "patient_id": row.patient_id,
            "patient_name": patient.name, "record_number": patient.record_number,
            "visit_id": row.visit_id, "visit_date": visit.business_date if visit else None,
            "posted_at": row.created_at, "business_date": row.business_date}


def _entry(session: Session, row: Payment | Charge | Discount) -> LedgerEntry:
    if isinstance(row, Payment):
        method = session.get(PaymentMethod, row.method_id)
        receipt = session.get(Receipt, row.receipt_id) if row.receipt_id is not None else None
        return PaymentEntry(
            **_posted(session, row), method_id=row.method_id,  # type: ignore[arg-type]
            method_name=method.name if method else "", card_type=row.card_type,
            card_last4=row.card_last4, reference=row.reference,
            receipt_number=receipt.number if receipt else "", is_deposit=row.is_deposit)
    if isinstance(row, Charge):
        return ChargeEntry(
            **_posted(session, row), price_item_id=row.price_item_id,  # type: ignore[arg-type]
            item_name=row.description, quantity=row.quantity, unit_price=row.unit_price,
            doctor_id=row.doctor_id, doctor_name=_staff_name(session, row.doctor_id),
            position_note=row.position_note)
    return DiscountEntry(**_posted(session, row), reason=row.reason)  # type: ignore[arg-type]


@dataclass(frozen=True)
class _Table:
    kind: EntryKind
    model: type[Payment | Charge | Discount]
    reverses: InstrumentedAttribute[int | None]


_TABLES = (_Table(EntryKind.PAYMENT, Payment, Payment.reverses_payment_id),
           _Table(EntryKind.CHARGE, Charge, Charge.reverses_charge_id),
           _Table(EntryKind.DISCOUNT, Discount, Discount.reverses_discount_id))
_TABLE_OF = {table.kind: table for table in _TABLES}


# --- what the correction dialog chooses from ---------------------------------------------------

@dataclass(frozen=True)
class PatientEntryRow:
    """An entry of the patient's ledger that a correction may put right."""

    entry: LedgerEntry
    corrected_by: str  # the number of the correction that reversed it; "" while it stands
    refunded: int  # how much was refunded out of the payment, or for the item


def patient_entries(desk: Desk, patient_id: int) -> list[PatientEntryRow]:
    """The patient's charges, discounts and payments, newest first; reversals are left out
    (they are part of their correction, not entries of their own)."""
    with desk.db.read() as session:
        refunds = select(Refund).where(Refund.patient_id == patient_id).subquery()
        refunded = {(kind, entry_id): int(total)
                    for kind, key in ((EntryKind.PAYMENT, refunds.c.payment_id),
                                      (EntryKind.CHARGE, refunds.c.charge_id))
                    for entry_id, total in session.execute(
                        select(key, func.sum(refunds.c.amount)).where(key.is_not(None))
                        .group_by(key))}
        result: list[PatientEntryRow] = []
        for table in _TABLES:
            model = table.model
            corrected = {reversed_id: number for reversed_id, number in session.execute(
                select(table.reverses, Correction.number)
                .join(Correction, model.correction_id == Correction.id)
                .where(model.patient_id == patient_id, table.reverses.is_not(None)))}
            for row in session.execute(select(model).where(
                    model.patient_id == patient_id, table.reverses.is_(None))).scalars():
                result.append(PatientEntryRow(_entry(session, row), corrected.get(row.id, ""),
                                              refunded.get((table.kind, row.id), 0)))
        result.sort(key=lambda r: (r.entry.posted_at, r.entry.entry_id), reverse=True)
        return result


@dataclass(frozen=True)
class VisitChoice:
    visit_id: int
    business_date: date
    doctor_name: str


def patient_visits(desk: Desk, patient_id: int, limit: int = 20) -> list[VisitChoice]:
    """The patient's latest visits, a payment may belong to any of them."""
    with desk.db.read() as session:
        visits = session.execute(select(Visit).where(Visit.patient_id == patient_id)
                                 .order_by(Visit.checked_in_at.desc(), Visit.id.desc())
                                 .limit(limit)).scalars()
        return [VisitChoice(v.id, v.business_date, _staff_name(session, v.doctor_id))
                for v in visits]


# --- the correction -----------------------------------------------------------------------------

@dataclass(frozen=True)
class RightPayment:
    """The payment as it should have been posted (possibly to another visit or patient)."""

    patient_id: int
    visit_id: int | None
    method_id: int
    amount_text: str
    card_type: str = ""
    card_last4: str = ""
    reference: str = ""


@dataclass(frozen=True)
class RightCharge:
    price_item_id: int
    quantity: int
    doctor_id: int | None
    position_note: str = ""


@dataclass(frozen=True)
class RightDiscount:
    amount_text: str
    reason: str


_RIGHT_TYPES: dict[EntryKind, type] = {EntryKind.PAYMENT: RightPayment,
                                       EntryKind.CHARGE: RightCharge,
                                       EntryKind.DISCOUNT: RightDiscount}


@dataclass(frozen=True)
class CorrectionRequest:
    kind: EntryKind
    entry_id: int
    what_was_wrong: str
    reason: str
    how_corrected: str
    right: RightPayment | RightCharge | RightDiscount | None = None  # None: reverse only
    accept_reused_reference: bool = False


@dataclass(frozen=True)
class PostedCorrection:
    correction_id: int
    number: str
    reversal_id: int
    right_id: int | None
    receipt_id: int | None = None  # the right payment's own receipt
    receipt_number: str = ""


@dataclass(frozen=True)
class _Stamp:
    """Who posts a correction's entries, when, on which day, under which register entry."""

    today: date
    now: datetime
    cashier_id: int
    approver_id: int
    correction_id: int

    def key(self, role: str) -> str:
        # Clients' payment keys always end in ":<part>", so these can never meet one.
        return f"correction-{self.correction_id}-{role}"


@dataclass(frozen=True)
class _Posted:
    reversal_id: int
    right_id: int | None
    right_amount: int
    receipt: Receipt | None = None


def _account(session: Session, patient_id: int, visit_id: int | None) -> Totals:
    """The sums an entry counts in: its visit's, or the patient's when it has no visit."""
    return visit_totals(session, visit_id) if visit_id else patient_totals(session, patient_id)


class _PaymentFix:
    def __init__(self, session: Session, original: Payment) -> None:
        self.session, self.original = session, original
        self.right: RightPayment | None = None
        self.part: CheckedPart | None = None

    def check(self, right: RightPayment | None, currency: str, errors: FieldErrors) -> None:
        session, original = self.session, self.original
        if session.execute(select(Refund.id).where(Refund.payment_id == original.id)).first():
            errors.add("entry", _("Money was refunded out of this payment, so it cannot be "
                                  "corrected."))
        if right is None:
            return
        if session.get(Patient, right.patient_id) is None:
            errors.add("payment.patient_id", _("Choose the patient the payment belongs to."))
        elif right.visit_id is not None:
            visit = session.get(Visit, right.visit_id)
            if visit is None or visit.patient_id != right.patient_id:
                errors.add("payment.visit_id", _("Choose one of this patient's visits."))
        part = check_payment_part(session, "payment.", PaymentPart(
            right.method_id, right.amount_text, card_type=right.card_type,
            card_last4=right.card_last4, reference=right.reference), currency, errors)
        if part is not None and (right.patient_id, right.visit_id, part.method.id, part.amount,
                                 part.card_type, part.card_last4, part.reference) == (
                original.patient_id, original.visit_id, original.method_id, original.amount,
                original.card_type, original.card_last4, original.reference):
            errors.add("right", _("The right entry is the same as the wrong one."))
        self.right, self.part = right, part

    def check_reference(self, accept_reused: bool) -> None:
        part = self.part
        if part is None or not part.reference or accept_reused:
            return
        if self.session.execute(select(Payment.id).where(
                Payment.method_id == part.method.id, Payment.reference == part.reference,
                Payment.id != self.original.id)).first():
            raise ReferenceAlreadyUsed(_("Reference {reference} was already recorded for an "
                                         "earlier payment.").format(reference=part.reference))

    def post(self, stamp: _Stamp) -> _Posted:
        session, original = self.session, self.original
        reversal = Payment(
            idempotency_key=stamp.key("reversal"), patient_id=original.patient_id,
            visit_id=original.visit_id, method_id=original.method_id, amount=-original.amount,
            card_type=original.card_type, card_last4=original.card_last4,
            reference=original.reference, is_deposit=original.is_deposit,
            cash_station_id=original.cash_station_id, business_date=stamp.today,
            created_at=stamp.now, cashier_id=stamp.cashier_id, reverses_payment_id=original.id,
            correction_id=stamp.correction_id)
        session.add(reversal)
        session.flush()
        right, part = self.right, self.part
        if right is None or part is None:
            return _Posted(reversal.id, None, 0)
        owed = patient_totals(session, right.patient_id).balance
        receipt = issue_receipt(session, right.patient_id, right.visit_id, part.amount,
                                owed - part.amount, stamp.today, stamp.now, stamp.cashier_id)
        payment = Payment(
            idempotency_key=stamp.key("right"), patient_id=right.patient_id,
            visit_id=right.visit_id, receipt_id=receipt.id, method_id=part.method.id,
            amount=part.amount, card_type=part.card_type, card_last4=part.card_last4,
            reference=part.reference, is_deposit=original.is_deposit and right.visit_id is None,
            cash_station_id=original.cash_station_id, business_date=stamp.today,
            created_at=stamp.now, cashier_id=stamp.cashier_id,
            correction_id=stamp.correction_id)
        session.add(payment)
        session.flush()
        return _Posted(reversal.id, payment.id, payment.amount, receipt)


class _ChargeFix:
    def __init__(self, session: Session, original: Charge) -> None:
        self.session, self.original = session, original
        self.right: RightCharge | None = None
        self.item_id = self.unit_price = 0
        self.category_id: int | None = None
        self.description = ""

    def check(self, right: RightCharge | None, currency: str, errors: FieldErrors) -> None:
        session, original = self.session, self.original
        new_amount = 0
        if right is not None:
            item = check_charge_line(session, "charge.", ChargeLine(
                right.price_item_id, right.quantity, right.doctor_id, right.position_note),
                errors, kept_item_id=original.price_item_id)
            if right.doctor_id is not None:
                doctor = session.get(Staff, right.doctor_id)
                if doctor is None or not doctor.active:
                    errors.add("charge.doctor_id", _("Choose the doctor who did the work."))
            if item is not None:
                # the same item keeps the price it was charged at; another item costs its price
                self.unit_price = (original.unit_price if item.id == original.price_item_id
                                   else item.price)
                self.item_id, self.category_id, self.description = (
                    item.id, item.category_id, item.name)
                new_amount = self.unit_price * right.quantity
                if (item.id, right.quantity, right.doctor_id, right.position_note.strip()) == (
                        original.price_item_id, original.quantity, original.doctor_id,
                        original.position_note):
                    errors.add("right", _("The right entry is the same as the wrong one."))
        totals = _account(session, original.patient_id, original.visit_id)
        if totals.charged - original.amount + new_amount < totals.discounted:
            errors.add("entry" if right is None else "right", _(_DISCOUNTS_EXCEED))
        self.right = right

    def check_reference(self, accept_reused: bool) -> None:
        """Charges carry no transaction reference."""

    def post(self, stamp: _Stamp) -> _Posted:
        session, original = self.session, self.original
        reversal = Charge(
            patient_id=original.patient_id, visit_id=original.visit_id,
            price_item_id=original.price_item_id, category_id=original.category_id,
            description=original.description, quantity=-original.quantity,
            unit_price=original.unit_price, amount=-original.amount,
            doctor_id=original.doctor_id, position_note=original.position_note,
            business_date=stamp.today, created_at=stamp.now, created_by_id=stamp.cashier_id,
            reverses_charge_id=original.id, correction_id=stamp.correction_id)
        session.add(reversal)
        session.flush()
        right = self.right
        if right is None:
            return _Posted(reversal.id, None, 0)
        charge = Charge(
            patient_id=original.patient_id, visit_id=original.visit_id,
            price_item_id=self.item_id, category_id=self.category_id,
            description=self.description, quantity=right.quantity, unit_price=self.unit_price,
            amount=self.unit_price * right.quantity, doctor_id=right.doctor_id,
            position_note=right.position_note.strip(), business_date=stamp.today,
            created_at=stamp.now, created_by_id=stamp.cashier_id,
            correction_id=stamp.correction_id)
        session.add(charge)
        session.flush()
        return _Posted(reversal.id, charge.id, charge.amount)


class _DiscountFix:
    def __init__(self, session: Session, original: Discount) -> None:
        self.session, self.original = session, original
        self.right: RightDiscount | None = None
        self.amount = 0

    def check(self, right: RightDiscount | None, currency: str, errors: FieldErrors) -> None:
        # Taking a discount back only raises what is owed: always possible.
        if right is None:
            return
        original = self.original
        try:
            self.amount = parse_amount(right.amount_text, currency)
        except AmountError as error:
            errors.add("discount.amount", error.message)
        else:
            if self.amount <= 0:
                errors.add("discount.amount", _("The discount must be more than zero."))
        reason = right.reason.strip()
        if not reason:
            errors.add("discount.reason", _("Give the reason."))
        elif len(reason) > MAX_DISCOUNT_REASON:
            errors.add("discount.reason",
                       _("At most {count} characters.").format(count=MAX_DISCOUNT_REASON))
        if "discount.amount" not in errors:
            totals = _account(self.session, original.patient_id, original.visit_id)
            if totals.discounted - original.amount + self.amount > totals.charged:
                errors.add("discount.amount", _(_DISCOUNTS_EXCEED))
            elif (self.amount, reason) == (original.amount, original.reason):
                errors.add("right", _("The right entry is the same as the wrong one."))
        self.right = right

    def check_reference(self, accept_reused: bool) -> None:
        """Discounts carry no transaction reference."""

    def post(self, stamp: _Stamp) -> _Posted:
        session, original = self.session, self.original
        reversal = Discount(
            patient_id=original.patient_id, visit_id=original.visit_id,
            charge_id=original.charge_id, amount=-original.amount, reason=original.reason,
            approved_by_id=stamp.approver_id, business_date=stamp.today, created_at=stamp.now,
            created_by_id=stamp.cashier_id, reverses_discount_id=original.id,
            correction_id=stamp.correction_id)
        session.add(reversal)
        session.flush()
        right = self.right
        if right is None:
            return _Posted(reversal.id, None, 0)
        discount = Discount(
            patient_id=original.patient_id, visit_id=original.visit_id,
            charge_id=original.charge_id, amount=self.amount, reason=right.reason.strip(),
            approved_by_id=stamp.approver_id, business_date=stamp.today, created_at=stamp.now,
            created_by_id=stamp.cashier_id, correction_id=stamp.correction_id)
        session.add(discount)
        session.flush()
        return _Posted(reversal.id, discount.id, discount.amount)


_Fix = _PaymentFix | _ChargeFix | _DiscountFix


def _fix_for(session: Session, kind: EntryKind, entry_id: int) -> _Fix:
    """The entry to correct, locked until the correction commits (on a database server two
    desks could otherwise reverse it twice; SQLite's write transaction already excludes that)."""
    table = _TABLE_OF[kind]
    original = session.get(table.model, entry_id, with_for_update=True)
    if original is None:
        raise NotFound(_("This entry no longer exists."))
    if isinstance(original, Payment):
        return _PaymentFix(session, original)
    if isinstance(original, Charge):
        return _ChargeFix(session, original)
    return _DiscountFix(session, original)


def _check_correctable(session: Session, kind: EntryKind, original: Payment | Charge | Discount,
                       errors: FieldErrors) -> None:
    """Not a reversal, and not reversed yet: by a correction, or (an item) by a refund, whose
    reversing charge has taken part of it back already."""
    table = _TABLE_OF[kind]
    if getattr(original, table.reverses.key) is not None:
        errors.add("entry", _("This entry reverses an earlier one; it cannot be corrected "
                              "itself."))
        return
    reversals = session.execute(
        select(Correction.number).select_from(table.model)
        .outerjoin(Correction, table.model.correction_id == Correction.id)
        .where(table.reverses == original.id)).scalars().all()
    number = next((n for n in reversals if n is not None), None)
    if number is not None:
        errors.add("entry", _("This entry was already corrected (correction {number}).").format(
            number=number))
    elif reversals:
        errors.add("entry", _("Money was refunded for this item, so it cannot be corrected."))


def _check_texts(request: CorrectionRequest, errors: FieldErrors) -> None:
    for field, missing in (
            ("what_was_wrong", _("Say what was wrong.")),
            ("reason", _("Say why it happened.")),
            ("how_corrected", _("Say how it is corrected."))):
        text = getattr(request, field).strip()
        if not text:
            errors.add(field, missing)
        elif len(text) > MAX_TEXT:
            errors.add(field, _("At most {count} characters.").format(count=MAX_TEXT))


def _may_approve(session: Session, staff_id: int) -> bool:
    staff = session.get(Staff, staff_id)
    return (staff is not None and staff.active
            and Permission.APPROVE in permissions_of(staff.role_set))


def correct_entry(desk: Desk, actor: Actor, request: CorrectionRequest,
                  approval: Approval | None = None) -> PostedCorrection:
    """Reverse a wrong entry, post the right one, and write the register entry: all or nothing.

    Without `approval` everything is checked and ApprovalNeeded raised, so the screen asks a
    manager only once the correction is known to be acceptable.
    """
    require(actor, Permission.TAKE_PAYMENTS)
    expected = _RIGHT_TYPES[request.kind]
    if request.right is not None and not isinstance(request.right, expected):
        raise TypeError(f"a {request.kind} is put right with a {expected.__name__}")
    now = desk.clock.now()
    with desk.db.write() as session:
        today = clinic_today(session, now)
        require_open(session, today)
        fix = _fix_for(session, request.kind, request.entry_id)
        errors = FieldErrors()
        _check_texts(request, errors)
        _check_correctable(session, request.kind, fix.original, errors)
        fix.check(request.right, load_settings(session).currency, errors)  # type: ignore[arg-type]
        errors.raise_if_any()
        fix.check_reference(request.accept_reused_reference)
        if approval is None:
            raise ApprovalNeeded(_("A correction needs a manager's approval."))
        if not _may_approve(session, approval.staff_id):
            raise PermissionDenied(_("Only a manager can approve this."))
        correction = Correction(
            number=f"{take_next(session, CORRECTION_SERIES):08d}",
            patient_id=fix.original.patient_id, what_was_wrong=request.what_was_wrong.strip(),
            reason=request.reason.strip(), how_corrected=request.how_corrected.strip(),
            business_date=today, created_at=now, cashier_id=actor.staff_id,
            approved_by_id=approval.staff_id)
        session.add(correction)
        session.flush()
        posted = fix.post(_Stamp(today, now, actor.staff_id, approval.staff_id, correction.id))
        receipt_number = posted.receipt.number if posted.receipt else ""
        audit.record(session, now, actor.staff_id, "entry_corrected", "correction",
                     correction.id, {
                         "number": correction.number, "kind": request.kind,
                         "entry_id": request.entry_id, "reversal_id": posted.reversal_id,
                         "reversed_amount": -fix.original.amount, "right_id": posted.right_id,
                         "right_amount": posted.right_amount, "receipt": receipt_number},
                     reason=correction.reason, approved_by_id=approval.staff_id)
        return PostedCorrection(
            correction_id=correction.id, number=correction.number,
            reversal_id=posted.reversal_id, right_id=posted.right_id,
            receipt_id=posted.receipt.id if posted.receipt else None,
            receipt_number=receipt_number)


# --- the register --------------------------------------------------------------------------------

@dataclass(frozen=True)
class CorrectionRow:
    """One line of the correction register: the wrong entry as it was posted, the right one
    (None when the wrong one was only reversed), the texts, who did it and who approved."""

    correction_id: int
    number: str
    business_date: date
    corrected_at: datetime
    patient_id: int
    patient_name: str
    record_number: str
    kind: EntryKind
    wrong: LedgerEntry
    right: LedgerEntry | None
    what_was_wrong: str
    reason: str
    how_corrected: str
    cashier_name: str
    approved_by_name: str


def _register_rows(session: Session, corrections: Iterable[Correction]) -> list[CorrectionRow]:
    corrections = list(corrections)
    ids = [c.id for c in corrections]
    reversed_: dict[int, tuple[EntryKind, Payment | Charge | Discount]] = {}
    right: dict[int, Payment | Charge | Discount] = {}
    for table in _TABLES:
        for row in session.execute(select(table.model).where(
                table.model.correction_id.in_(ids))).scalars():
            reverses = getattr(row, table.reverses.key)
            if reverses is None:
                right[row.correction_id] = row  # type: ignore[index]
            else:
                original = session.get(table.model, reverses)
                if original is not None:
                    reversed_[row.correction_id] = (table.kind, original)  # type: ignore[index]
    rows = []
    for correction in corrections:
        kind, original = reversed_[correction.id]
        patient = existing_patient(session, correction.patient_id)
        fixed = right.get(correction.id)
        rows.append(CorrectionRow(
            correction_id=correction.id, number=correction.number,
            business_date=correction.business_date, corrected_at=correction.created_at,
            patient_id=patient.id, patient_name=patient.name,
            record_number=patient.record_number, kind=kind, wrong=_entry(session, original),
            right=_entry(session, fixed) if fixed is not None else None,
            what_was_wrong=correction.what_was_wrong, reason=correction.reason,
            how_corrected=correction.how_corrected,
            cashier_name=_staff_name(session, correction.cashier_id),
            approved_by_name=_staff_name(session, correction.approved_by_id)))
    return rows


def list_corrections(desk: Desk, start: date, end: date) -> list[CorrectionRow]:
    """The register from `start` to `end` (business days, both included), in number order."""
    with desk.db.read() as session:
        return _register_rows(session, session.execute(
            select(Correction).where(Correction.business_date >= start,
                                     Correction.business_date <= end)
            .order_by(Correction.id)).scalars())
