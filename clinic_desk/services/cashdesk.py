"""The cash desk (收费): charges from the price list, discounts, and payments with their
numbered receipt, each posted whole in one transaction or not at all.

A payment carries a key the client made before posting: posting the same key again (a
retry after a crash, a double click) returns the first posting instead of a second one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clinic_desk.i18n import gettext as _
from clinic_desk.models import (Charge, Discount, Patient, Payment, PaymentKind, PaymentMethod,
                                PriceListItem, Receipt, Visit,
                                VisitState)
from clinic_desk.money import AmountError, format_money, parse_amount
from clinic_desk.services import audit
from clinic_desk.services.auth import Approval, Permission, is_manager, require
from clinic_desk.services.context import Actor, Desk
from clinic_desk.services.day_lock import require_open
from clinic_desk.services.errors import Conflict, FieldErrors, NotFound, PermissionDenied
from clinic_desk.services.ledger import patient_totals, visit_totals
from clinic_desk.services.numbering import take_next
from clinic_desk.services.settings import clinic_today, load_settings

RECEIPT_SERIES = "receipt"
MAX_QUANTITY = 999
MAX_NOTE = 100


def existing_patient(session: Session, patient_id: int) -> Patient:
    """The patient the desk is posting for; NotFound if the record is gone."""
    patient = session.get(Patient, patient_id)
    if patient is None:
        raise NotFound(_("This patient no longer exists."))
    return patient


def _visit(session: Session, visit_id: int) -> Visit:
    visit = session.get(Visit, visit_id)
    if visit is None:
        raise NotFound(_("This visit no longer exists."))
    return visit


def _open_day_visit(session: Session, now: datetime, visit_id: int) -> tuple[date, Visit]:
    """Today's business date, refused if the day is closed, and the visit posted to."""
    today = clinic_today(session, now)
    require_open(session, today)
    return today, _visit(session, visit_id)


# --- charges --------------------------------------------------------------------------------

@dataclass(frozen=True)
class ChargeLine:
    price_item_id: int
    quantity: int = 1
    doctor_id: int | None = None
    position_note: str = ""  # tooth or eye position


def check_charge_line(session: Session, prefix: str, line: ChargeLine, errors: FieldErrors,
                      kept_item_id: int | None = None) -> PriceListItem | None:
    """The line's price-list item, or None with the message at `prefix` + field in `errors`.

    `kept_item_id` may be charged though it left the price list: a correction that keeps
    the original item.
    """
    item = session.get(PriceListItem, line.price_item_id)
    if item is None or not (item.active or item.id == kept_item_id):
        errors.add(prefix + "item", _("Choose an item of the price list."))
    elif not 1 <= line.quantity <= MAX_QUANTITY:
        errors.add(prefix + "quantity",
                   _("Enter a quantity between 1 and {count}.").format(count=MAX_QUANTITY))
    elif len(line.position_note) > MAX_NOTE:
        errors.add(prefix + "position_note",
                   _("At most {count} characters.").format(count=MAX_NOTE))
    else:
        return item
    return None


def add_charges(desk: Desk, actor: Actor, visit_id: int, lines: list[ChargeLine]) -> list[int]:
    """Charge price-list items on a visit, each with the doctor who did the work."""
    require(actor, Permission.TAKE_PAYMENTS)
    now = desk.clock.now()
    with desk.db.write() as session:
        today, visit = _open_day_visit(session, now, visit_id)
        errors = FieldErrors()
        if not lines:
            errors.add("lines", _("Add at least one item."))
        items = [item for index, line in enumerate(lines)
                 if (item := check_charge_line(session, f"lines.{index}.", line, errors))]
        errors.raise_if_any()
        ids = []
        for line, item in zip(lines, items):
            charge = Charge(
                patient_id=visit.patient_id, visit_id=visit.id, price_item_id=item.id,
                category_id=item.category_id, description=item.name, quantity=line.quantity,
                unit_price=item.price, amount=item.price * line.quantity,
                doctor_id=line.doctor_id or visit.doctor_id,
                position_note=line.position_note.strip(), business_date=today, created_at=now,
                created_by_id=actor.staff_id)
            session.add(charge)
            session.flush()
            ids.append(charge.id)
            audit.record(session, now, actor.staff_id, "charge_added", "charge", charge.id, {
                "visit_id": visit.id, "item": item.code, "quantity": line.quantity,
                "amount": charge.amount})
        return ids


# --- discounts -----------------------------------------------------------------------------

class ApprovalNeeded(Conflict):
    """The action is above what the cashier may do alone: ask a manager, then repeat it."""


def add_discount(desk: Desk, actor: Actor, visit_id: int, *, percent: int | None = None,
                 amount_text: str = "", reason: str = "",
                 approval: Approval | None = None) -> int:
    """Take a percentage or an amount off what the visit owes; above the clinic's limit a
    manager approves on the spot."""
    require(actor, Permission.TAKE_PAYMENTS)
    now = desk.clock.now()
    with desk.db.write() as session:
        today, visit = _open_day_visit(session, now, visit_id)
        settings = load_settings(session)
        owed = visit_totals(session, visit_id).balance
        errors = FieldErrors()
        value = 0
        if percent is not None:
            if not 1 <= percent <= 100:
                errors.add("percent", _("Enter a percentage between 1 and 100."))
            elif owed <= 0:  # a percentage of nothing (or of an overpaid visit) is no discount
                errors.add("percent", _("The discount is more than the visit owes."))
            else:
                value = int((Decimal(owed) * percent / 100).quantize(Decimal(1)))
                if value <= 0:
                    errors.add("percent", _("The discount must be more than zero."))
        else:
            try:
                value = parse_amount(amount_text, settings.currency)
            except AmountError as error:
                errors.add("amount", error.message)
            else:
                if value <= 0:
                    errors.add("amount", _("The discount must be more than zero."))
        if not reason.strip():
            errors.add("reason", _("Give the reason."))
        if "amount" not in errors and "percent" not in errors and value > owed:
            errors.add("amount" if percent is None else "percent",
                       _("The discount is more than the visit owes."))
        errors.raise_if_any()
        totals = visit_totals(session, visit_id)
        # the visit's discounts together count against the limit, so splitting one large
        # discount into small ones does not get around the manager
        share = (Decimal(totals.discounted + value) * 100 / totals.charged if totals.charged
                 else Decimal(100))
        approver = None
        if share > settings.discount_limit_percent:
            if approval is None:
                raise ApprovalNeeded(_("A discount above {limit}% needs a manager's "
                                       "approval.").format(limit=settings.discount_limit_percent))
            if not is_manager(session, approval.staff_id):
                raise PermissionDenied(_("Only a manager can approve this."))
            approver = approval.staff_id
        discount = Discount(patient_id=visit.patient_id, visit_id=visit.id,
                            percent_basis_points=percent * 100 if percent else None,
                            amount=value, reason=reason.strip(), approved_by_id=approver,
                            business_date=today, created_at=now, created_by_id=actor.staff_id)
        session.add(discount)
        session.flush()
        audit.record(session, now, actor.staff_id, "discount_added", "discount", discount.id,
                     {"visit_id": visit.id, "amount": value, "percent": percent},
                     reason=reason.strip(), approved_by_id=approver)
        return discount.id


# --- payments ------------------------------------------------------------------------------

@dataclass(frozen=True)
class PaymentPart:
    """One way the patient pays part of the sum: cash, a card, WeChat Pay ..."""

    method_id: int
    amount_text: str
    tendered_text: str = ""   # cash handed over, when change is given
    card_type: str = ""
    card_last4: str = ""
    reference: str = ""


@dataclass(frozen=True)
class PaymentRequest:
    patient_id: int
    visit_id: int | None
    parts: tuple[PaymentPart, ...]
    idempotency_key: str
    deposit: bool = False              # prepayment kept on the patient's account
    accept_reused_reference: bool = False


@dataclass(frozen=True)
class PostedPayment:
    receipt_id: int
    receipt_number: str
    payment_ids: tuple[int, ...]
    paid: int
    change: int
    balance_after: int
    repeated: bool = False  # the key was posted before: this is that posting


class ReferenceAlreadyUsed(Conflict):
    """The same transaction reference was recorded before: possibly a double posting."""


@dataclass
class CheckedPart:
    """A payment part as it will be posted: its method, amount in minor units, details."""

    method: PaymentMethod
    amount: int
    tendered: int | None = None
    change: int = 0
    card_type: str = ""
    card_last4: str = ""
    reference: str = ""


def check_payment_part(session: Session, prefix: str, part: PaymentPart, currency: str,
                       errors: FieldErrors) -> CheckedPart | None:
    """The part's method and amounts, or None with messages at `prefix` + field in `errors`."""
    method = session.get(PaymentMethod, part.method_id)
    if method is None or not method.active:
        errors.add(prefix + "method", _("Choose a payment method."))
        return None
    try:
        amount = parse_amount(part.amount_text, currency)
    except AmountError as error:
        errors.add(prefix + "amount", error.message)
        return None
    if amount <= 0:
        errors.add(prefix + "amount", _("The amount must be more than zero."))
        return None
    checked = CheckedPart(method=method, amount=amount, reference=part.reference.strip())
    if method.kind == PaymentKind.CASH and part.tendered_text.strip():
        try:
            tendered = parse_amount(part.tendered_text, currency)
        except AmountError as error:
            errors.add(prefix + "tendered", error.message)
            return None
        if tendered < amount:
            errors.add(prefix + "tendered", _("Less than the amount paid in cash."))
            return None
        checked.tendered, checked.change = tendered, tendered - amount
    if method.needs_card_digits:
        digits = part.card_last4.strip()
        if len(digits) != 4 or not digits.isdigit():
            errors.add(prefix + "card_last4", _("Enter the card's last 4 digits."))
        if not part.card_type.strip():
            errors.add(prefix + "card_type", _("Enter the card type (e.g. UnionPay debit)."))
        checked.card_type, checked.card_last4 = part.card_type.strip(), digits
    if method.needs_reference and not checked.reference:
        errors.add(prefix + "reference", _("Enter the transaction reference."))
    return checked


def _repeat(session: Session, key: str) -> PostedPayment | None:
    # Exact match on the first part's key: LIKE would treat "_" and "%" as wildcards, ignore
    # case, and take "k" for a prefix of "k:1" (another posting's key "k:1:0").
    first = session.execute(select(Payment).where(
        Payment.idempotency_key == f"{key}:0")).scalar_one_or_none()
    if first is None:
        return None
    payments = [first] if first.receipt_id is None else session.execute(select(Payment).where(
        Payment.receipt_id == first.receipt_id,
        func.substr(Payment.idempotency_key, 1, len(key) + 1) == f"{key}:")
        .order_by(Payment.id)).scalars().all()
    receipt = session.get(Receipt, payments[0].receipt_id) if payments[0].receipt_id else None
    return PostedPayment(
        receipt_id=receipt.id if receipt else 0, receipt_number=receipt.number if receipt else "",
        payment_ids=tuple(p.id for p in payments), paid=sum(p.amount for p in payments),
        change=sum(p.change_given or 0 for p in payments),
        balance_after=receipt.balance_after if receipt else 0, repeated=True)


def issue_receipt(session: Session, patient_id: int, visit_id: int | None, paid: int,
                  balance_after: int, today: date, now: datetime, cashier_id: int) -> Receipt:
    """The next numbered receipt for money received now; its figures are frozen from here."""
    charged = visit_totals(session, visit_id) if visit_id else None
    receipt = Receipt(
        number=f"{take_next(session, RECEIPT_SERIES):08d}", patient_id=patient_id,
        visit_id=visit_id, total_charged=charged.charged - charged.discounted if charged else 0,
        paid_today=paid, balance_after=balance_after, business_date=today, issued_at=now,
        cashier_id=cashier_id)
    session.add(receipt)
    session.flush()
    return receipt


def post_payment(desk: Desk, actor: Actor, request: PaymentRequest) -> PostedPayment:
    """Post every part of a payment and its receipt together, or nothing at all."""
    require(actor, Permission.TAKE_PAYMENTS)
    key = request.idempotency_key.strip()
    if not key or len(key) > 40:
        raise ValueError("a payment needs a client-made key of at most 40 characters")
    now = desk.clock.now()
    with desk.db.write() as session:
        repeated = _repeat(session, key)
        if repeated is not None:
            return repeated
        today = clinic_today(session, now)
        require_open(session, today)
        existing_patient(session, request.patient_id)
        visit = _visit(session, request.visit_id) if request.visit_id else None
        currency = load_settings(session).currency
        errors = FieldErrors()
        if not request.parts:
            errors.add("parts", _("Add at least one payment."))
        checked = [check_payment_part(session, f"parts.{i}.", part, currency, errors)
                   for i, part in enumerate(request.parts)]
        errors.raise_if_any()
        parts = [c for c in checked if c is not None]
        owed = patient_totals(session, request.patient_id).balance
        paid = sum(c.amount for c in parts)
        if not request.deposit:
            running = 0
            for index, part in enumerate(parts):
                running += part.amount
                if running > owed:
                    errors.add(f"parts.{index}.amount",
                               _("More than is due: the patient owes {owed}.").format(
                                   owed=format_money(owed, currency)))
        errors.raise_if_any()
        reused = [c.reference for c in parts if c.reference and session.execute(
            select(Payment.id).where(Payment.method_id == c.method.id,
                                     Payment.reference == c.reference)).first()]
        if reused and not request.accept_reused_reference:
            raise ReferenceAlreadyUsed(_("Reference {reference} was already recorded for an "
                                         "earlier payment.").format(reference=reused[0]))
        receipt = issue_receipt(session, request.patient_id, visit.id if visit else None, paid,
                                owed - paid, today, now, actor.staff_id)
        ids = []
        for index, part in enumerate(parts):
            payment = Payment(
                idempotency_key=f"{key}:{index}", patient_id=request.patient_id,
                visit_id=visit.id if visit else None, receipt_id=receipt.id,
                method_id=part.method.id, amount=part.amount, tendered=part.tendered,
                change_given=part.change if part.tendered is not None else None,
                card_type=part.card_type, card_last4=part.card_last4, reference=part.reference,
                is_deposit=request.deposit, business_date=today, created_at=now,
                cashier_id=actor.staff_id)
            session.add(payment)
            session.flush()
            ids.append(payment.id)
        if visit is not None and owed - paid <= 0 and visit.state == VisitState.TO_CASHIER:
            visit.state = VisitState.FINISHED
            visit.ended_at = now
        audit.record(session, now, actor.staff_id, "payment_posted", "receipt", receipt.id, {
            "receipt": receipt.number, "patient_id": request.patient_id,
            "payments": [[p.method.id, p.amount] for p in parts], "deposit": request.deposit,
            "balance_after": receipt.balance_after})
        return PostedPayment(receipt_id=receipt.id, receipt_number=receipt.number,
                             payment_ids=tuple(ids), paid=paid,
                             change=sum(p.change for p in parts),
                             balance_after=receipt.balance_after)


def patient_balance(desk: Desk, patient_id: int) -> int:
    with desk.db.read() as session:
        return patient_totals(session, patient_id).balance
