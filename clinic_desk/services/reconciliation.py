"""The figures of the clinic's business days, summed from the append-only ledger.

One `DayReport` feeds every view of a day or a range of days: the day-close PDF, the
spreadsheet and CSV for the accounts, and the manager's live overview with its charts. Its
totals are plain sums of ledger rows (reversing rows carry negative amounts), grouped by
payment method, hour, doctor, price-list item and category, so each one can be checked
against the rows listed beside it.

A till's figures (`till_totals`) are what the day close compares the counted drawer and the
terminals with. Payments and refunds posted without a cash station count at the clinic's
first cash station.

Every query is bounded by `business_date` (indexed), so a report costs what its period
holds, not what the clinic's history holds.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, func, or_, select, true
from sqlalchemy.orm import Session

from clinic_desk.clock import zone
from clinic_desk.i18n import gettext as _
from clinic_desk.models import (Appointment, AppointmentStatus, CashCountLine, CashStation,
                                Charge, Correction, DayClosing, DayClosingMethodTotal,
                                DayHandover, DayReopening, Discount, Patient, Payment,
                                PaymentKind, PaymentMethod, PriceCategory, QueueEntry, Receipt,
                                Refund, Staff, Visit, VisitKind, VisitState)
from clinic_desk.services import audit
from clinic_desk.services.auth import Permission, require
from clinic_desk.services.checkin import FIRST_VISIT_CODE, RETURN_VISIT_CODE
from clinic_desk.services.context import Actor, Desk
from clinic_desk.services.errors import ValidationError
from clinic_desk.services.settings import ClinicSettings, clinic_today, load_settings

#: The longest period one report covers.
MAX_PERIOD_DAYS = 366

K = TypeVar("K")


# --- a till's figures -----------------------------------------------------------------------

@dataclass(frozen=True)
class MethodTotals:
    """Money through one payment method: taken at the desk, changed by the correction
    register (reversals are negative), and paid back as refunds."""

    method_id: int
    name: str
    kind: PaymentKind
    taken: int = 0
    corrected: int = 0
    refunded: int = 0

    @property
    def received(self) -> int:
        return self.taken + self.corrected - self.refunded


def default_station_id(session: Session) -> int | None:
    """The clinic's first cash station: where money posted without a station counts."""
    return session.execute(select(CashStation.id).where(CashStation.active.is_(True))
                           .order_by(CashStation.sort_order, CashStation.id).limit(1)
                           ).scalar_one_or_none()


def at_station(column: Any, station_id: int | None, default_id: int | None) -> ColumnElement[bool]:
    """Rows of one cash station (money without a station belongs to the default one);
    `station_id` None means the whole clinic."""
    if station_id is None:
        return true()
    if station_id == default_id:
        return or_(column == station_id, column.is_(None))
    return column == station_id


def _methods(session: Session) -> dict[int, PaymentMethod]:
    return {m.id: m for m in session.execute(
        select(PaymentMethod).order_by(PaymentMethod.sort_order, PaymentMethod.id)).scalars()}


def till_totals(session: Session, day: date, station_id: int | None) -> tuple[MethodTotals, ...]:
    """Per payment method, the money a till handled on `day`: every active method, and
    any inactive one that still moved money that day."""
    default_id = default_station_id(session)
    taken: dict[int, int] = defaultdict(int)
    corrected: dict[int, int] = defaultdict(int)
    refunded: dict[int, int] = defaultdict(int)
    for method_id, by_correction, amount in session.execute(
            select(Payment.method_id, Payment.correction_id.is_not(None), func.sum(Payment.amount))
            .where(Payment.business_date == day,
                   at_station(Payment.cash_station_id, station_id, default_id))
            .group_by(Payment.method_id, Payment.correction_id.is_not(None))):
        (corrected if by_correction else taken)[method_id] += int(amount)
    for method_id, amount in session.execute(
            select(Refund.method_id, func.sum(Refund.amount))
            .where(Refund.business_date == day,
                   at_station(Refund.cash_station_id, station_id, default_id))
            .group_by(Refund.method_id)):
        refunded[method_id] += int(amount)
    moved = set(taken) | set(corrected) | set(refunded)
    return tuple(MethodTotals(m.id, m.name, m.kind, taken[m.id], corrected[m.id], refunded[m.id])
                 for m in _methods(session).values() if m.active or m.id in moved)


# --- the rows of a period -------------------------------------------------------------------

@dataclass(frozen=True)
class PaymentLine:
    business_date: date
    at: datetime
    receipt_number: str
    patient_name: str
    record_number: str
    method_id: int
    method_name: str
    amount: int
    detail: str           # card type and last digits, or the transaction reference
    cashier: str
    correction_number: str  # the correction-register entry that wrote this row, if any
    deposit: bool


@dataclass(frozen=True)
class RefundLine:
    number: str
    business_date: date
    at: datetime
    patient_name: str
    record_number: str
    method_id: int
    method_name: str
    amount: int
    reason: str
    doctor: str
    approved_by: str
    cashier: str


@dataclass(frozen=True)
class ChargeLine:
    business_date: date
    at: datetime
    patient_name: str
    record_number: str
    item_key: str
    item: str
    category: str
    doctor_id: int | None
    doctor: str
    quantity: int
    amount: int
    correction_number: str


@dataclass(frozen=True)
class DiscountLine:
    business_date: date
    at: datetime
    patient_name: str
    record_number: str
    amount: int
    percent_basis_points: int | None
    reason: str
    approved_by: str
    cashier: str
    correction_number: str


@dataclass(frozen=True)
class CorrectionLine:
    number: str
    business_date: date
    at: datetime
    patient_name: str
    record_number: str
    what_was_wrong: str
    reason: str
    how_corrected: str
    cashier: str
    approved_by: str
    payments: int   # what the correction's own ledger rows add up to, per table
    charges: int
    discounts: int


@dataclass(frozen=True)
class Total:
    """One bar of a chart / one line of a subtotal table."""

    key: str
    label: str
    amount: int
    count: int


@dataclass(frozen=True)
class HourTotal:
    hour: int  # local hour of the day, 0-23
    amount: int
    count: int


@dataclass(frozen=True)
class VisitFigures:
    visits: int
    first_visits: int
    return_visits: int
    by_kind: tuple[Total, ...]  # amount = 0; count = visits of that kind
    no_shows: int
    left_unseen: int
    waits_counted: int
    average_wait: timedelta | None
    longest_wait: timedelta | None


@dataclass(frozen=True)
class MethodCheck:
    """The program's figure for a payment method against the terminal's / merchant's."""

    method_id: int
    name: str
    system: int
    reported: int | None  # None: nothing was entered (compared as zero)
    difference: int


@dataclass(frozen=True)
class ClosingRecord:
    """One version of a till's close, with its count, handover and re-opening."""

    closing_id: int
    number: str
    business_date: date
    station: str
    version: int
    supersedes_number: str
    opening_float: int
    cash_taken: int
    cash_refunded: int
    expected_cash: int
    counted_cash: int
    difference: int
    float_kept: int
    explanation: str
    closed_by_id: int
    closed_by: str
    closed_at: datetime
    approved_by: str
    audit_head_id: int | None
    audit_head_hash: str
    count_lines: tuple[tuple[int, int], ...]  # (denomination, count), largest first
    methods: tuple[MethodCheck, ...]
    handed_to: str = ""
    handed_at: datetime | None = None
    handover_note: str = ""
    reopened_by: str = ""
    reopened_at: datetime | None = None
    reopen_reason: str = ""

    @property
    def reopened(self) -> bool:
        return self.reopened_at is not None

    @property
    def handed_over(self) -> bool:
        return self.handed_at is not None

    @property
    def cash_handed_over(self) -> int:
        return self.counted_cash - self.float_kept


@dataclass(frozen=True)
class DayReport:
    """Everything the clinic reports for a day or a range of days, amounts in minor units."""

    start: date
    end: date
    clinic_name: str
    clinic_address: str
    clinic_phone: str
    currency: str
    timezone: str
    generated_at: datetime
    audit_head_id: int
    audit_head_hash: str
    methods: tuple[MethodTotals, ...]
    by_hour: tuple[HourTotal, ...]
    by_doctor: tuple[Total, ...]
    by_item: tuple[Total, ...]
    by_category: tuple[Total, ...]
    payments: tuple[PaymentLine, ...]
    refunds: tuple[RefundLine, ...]
    charges: tuple[ChargeLine, ...]
    discounts: tuple[DiscountLine, ...]
    corrections: tuple[CorrectionLine, ...]
    closings: tuple[ClosingRecord, ...]
    visits: VisitFigures

    @property
    def single_day(self) -> bool:
        return self.start == self.end

    @property
    def taken(self) -> int:
        return sum(m.taken for m in self.methods)

    @property
    def corrected(self) -> int:
        return sum(m.corrected for m in self.methods)

    @property
    def refunded(self) -> int:
        return sum(m.refunded for m in self.methods)

    @property
    def received(self) -> int:
        return sum(m.received for m in self.methods)

    @property
    def charged(self) -> int:
        return sum(c.amount for c in self.charges)

    @property
    def discounted(self) -> int:
        return sum(d.amount for d in self.discounts)


def check_period(start: date, end: date) -> None:
    if end < start:
        raise ValidationError.single("end", _("The last day comes before the first."))
    if (end - start).days >= MAX_PERIOD_DAYS:
        raise ValidationError.single("end", _("A report covers at most {days} days.").format(
            days=MAX_PERIOD_DAYS))


def _names(session: Session) -> dict[int, str]:
    return dict(session.execute(select(Staff.id, Staff.full_name)).all())


def _payment_detail(card_type: str, last4: str, reference: str) -> str:
    card = f"{card_type} ****{last4}".strip() if last4 else card_type
    return " · ".join(part for part in (card, reference) if part)


def _payments(session: Session, start: date, end: date, methods: dict[int, PaymentMethod],
              names: dict[int, str]) -> list[PaymentLine]:
    rows = session.execute(
        select(Payment, Patient.name, Patient.record_number, Receipt.number, Correction.number)
        .join(Patient, Patient.id == Payment.patient_id)
        .outerjoin(Receipt, Receipt.id == Payment.receipt_id)
        .outerjoin(Correction, Correction.id == Payment.correction_id)
        .where(Payment.business_date.between(start, end))
        .order_by(Payment.created_at, Payment.id))
    return [PaymentLine(
        business_date=p.business_date, at=p.created_at, receipt_number=receipt or "",
        patient_name=name, record_number=record, method_id=p.method_id,
        method_name=methods[p.method_id].name, amount=p.amount,
        detail=_payment_detail(p.card_type, p.card_last4, p.reference),
        cashier=names.get(p.cashier_id, ""), correction_number=correction or "",
        deposit=p.is_deposit) for p, name, record, receipt, correction in rows]


def _refunds(session: Session, start: date, end: date, methods: dict[int, PaymentMethod],
             names: dict[int, str]) -> list[RefundLine]:
    rows = session.execute(
        select(Refund, Patient.name, Patient.record_number)
        .join(Patient, Patient.id == Refund.patient_id)
        .where(Refund.business_date.between(start, end))
        .order_by(Refund.created_at, Refund.id))
    return [RefundLine(
        number=r.number, business_date=r.business_date, at=r.created_at, patient_name=name,
        record_number=record, method_id=r.method_id, method_name=methods[r.method_id].name,
        amount=r.amount, reason=r.reason_detail, doctor=names.get(r.doctor_id or 0, ""),
        approved_by=names.get(r.approved_by_id, ""), cashier=names.get(r.cashier_id, ""))
        for r, name, record in rows]


def _charges(session: Session, start: date, end: date, names: dict[int, str]) -> list[ChargeLine]:
    categories = dict(session.execute(select(PriceCategory.id, PriceCategory.name)).all())
    rows = session.execute(
        select(Charge, Patient.name, Patient.record_number, Correction.number)
        .join(Patient, Patient.id == Charge.patient_id)
        .outerjoin(Correction, Correction.id == Charge.correction_id)
        .where(Charge.business_date.between(start, end))
        .order_by(Charge.created_at, Charge.id))
    return [ChargeLine(
        business_date=c.business_date, at=c.created_at, patient_name=name,
        record_number=record,
        item_key=f"item:{c.price_item_id}" if c.price_item_id else f"text:{c.description}",
        item=c.description, category=categories.get(c.category_id or 0, ""),
        doctor_id=c.doctor_id, doctor=names.get(c.doctor_id or 0, ""), quantity=c.quantity,
        amount=c.amount, correction_number=correction or "")
        for c, name, record, correction in rows]


def _discounts(session: Session, start: date, end: date,
               names: dict[int, str]) -> list[DiscountLine]:
    rows = session.execute(
        select(Discount, Patient.name, Patient.record_number, Correction.number)
        .join(Patient, Patient.id == Discount.patient_id)
        .outerjoin(Correction, Correction.id == Discount.correction_id)
        .where(Discount.business_date.between(start, end))
        .order_by(Discount.created_at, Discount.id))
    return [DiscountLine(
        business_date=d.business_date, at=d.created_at, patient_name=name,
        record_number=record, amount=d.amount, percent_basis_points=d.percent_basis_points,
        reason=d.reason, approved_by=names.get(d.approved_by_id or 0, ""),
        cashier=names.get(d.created_by_id, ""), correction_number=correction or "")
        for d, name, record, correction in rows]


def _correction_effects(session: Session, model: Any, ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    return {cid: int(total) for cid, total in session.execute(
        select(model.correction_id, func.sum(model.amount))
        .where(model.correction_id.in_(ids)).group_by(model.correction_id))}


def _corrections(session: Session, start: date, end: date,
                 names: dict[int, str]) -> list[CorrectionLine]:
    rows = session.execute(
        select(Correction, Patient.name, Patient.record_number)
        .join(Patient, Patient.id == Correction.patient_id)
        .where(Correction.business_date.between(start, end))
        .order_by(Correction.created_at, Correction.id)).all()
    ids = [c.id for c, _name, _record in rows]
    payments, charges, discounts = (_correction_effects(session, model, ids)
                                    for model in (Payment, Charge, Discount))
    return [CorrectionLine(
        number=c.number, business_date=c.business_date, at=c.created_at, patient_name=name,
        record_number=record, what_was_wrong=c.what_was_wrong, reason=c.reason,
        how_corrected=c.how_corrected, cashier=names.get(c.cashier_id, ""),
        approved_by=names.get(c.approved_by_id, ""), payments=payments.get(c.id, 0),
        charges=charges.get(c.id, 0), discounts=discounts.get(c.id, 0))
        for c, name, record in rows]


def closing_records(session: Session, start: date, end: date) -> list[ClosingRecord]:
    """Every version of every close in the period, oldest first."""
    names = _names(session)
    stations = dict(session.execute(select(CashStation.id, CashStation.name)).all())
    methods = _methods(session)
    closings = list(session.execute(
        select(DayClosing).where(DayClosing.business_date.between(start, end))
        .order_by(DayClosing.business_date, DayClosing.cash_station_id, DayClosing.version)
    ).scalars())
    ids = [c.id for c in closings]
    if not ids:
        return []
    numbers = dict(session.execute(select(DayClosing.id, DayClosing.number).where(
        DayClosing.id.in_([c.supersedes_id for c in closings if c.supersedes_id]))).all())
    lines: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for line in session.execute(select(CashCountLine).where(CashCountLine.closing_id.in_(ids))
                                .order_by(CashCountLine.denomination.desc())).scalars():
        lines[line.closing_id].append((line.denomination, line.count))
    checks: dict[int, list[MethodCheck]] = defaultdict(list)
    for total in session.execute(select(DayClosingMethodTotal).where(
            DayClosingMethodTotal.closing_id.in_(ids)).order_by(DayClosingMethodTotal.id)).scalars():
        checks[total.closing_id].append(MethodCheck(
            total.method_id, methods[total.method_id].name, total.system_total,
            total.reported_total, total.difference))
    handovers = {h.closing_id: h for h in session.execute(
        select(DayHandover).where(DayHandover.closing_id.in_(ids))).scalars()}
    reopenings = {r.closing_id: r for r in session.execute(
        select(DayReopening).where(DayReopening.closing_id.in_(ids))).scalars()}
    records = []
    for c in closings:
        handover, reopening = handovers.get(c.id), reopenings.get(c.id)
        records.append(ClosingRecord(
            closing_id=c.id, number=c.number, business_date=c.business_date,
            station=stations.get(c.cash_station_id or 0, ""), version=c.version,
            supersedes_number=numbers.get(c.supersedes_id or 0, ""),
            opening_float=c.opening_float, cash_taken=c.cash_taken,
            cash_refunded=c.cash_refunded, expected_cash=c.expected_cash,
            counted_cash=c.counted_cash, difference=c.difference, float_kept=c.float_kept,
            explanation=c.explanation, closed_by_id=c.closed_by_id,
            closed_by=names.get(c.closed_by_id, ""), closed_at=c.closed_at,
            approved_by=names.get(c.difference_approved_by_id or 0, ""),
            audit_head_id=c.audit_head_id, audit_head_hash=c.audit_head_hash,
            count_lines=tuple(lines[c.id]), methods=tuple(checks[c.id]),
            handed_to=names.get(handover.received_by_id, "") if handover else "",
            handed_at=handover.received_at if handover else None,
            handover_note=handover.note if handover else "",
            reopened_by=names.get(reopening.reopened_by_id, "") if reopening else "",
            reopened_at=reopening.reopened_at if reopening else None,
            reopen_reason=reopening.reason if reopening else ""))
    return records


def _day_bounds(start: date, end: date, timezone: str) -> tuple[datetime, datetime]:
    """The instants the clinic's local days `start`..`end` begin and end."""
    tz = zone(timezone)
    return (datetime.combine(start, time(0), tz),
            datetime.combine(end + timedelta(days=1), time(0), tz))


def visit_figures(session: Session, start: date, end: date, timezone: str) -> VisitFigures:
    period = Visit.business_date.between(start, end)
    kinds = session.execute(
        select(VisitKind.id, VisitKind.code, VisitKind.name, func.count(Visit.id))
        .join(Visit, Visit.visit_kind_id == VisitKind.id).where(period)
        .group_by(VisitKind.id).order_by(VisitKind.sort_order, VisitKind.id)).all()
    by_code = {code: count for _id, code, _name, count in kinds}
    left = session.execute(select(func.count(Visit.id)).where(
        period, Visit.state == VisitState.LEFT)).scalar_one()
    begins, ends = _day_bounds(start, end, timezone)
    no_shows = session.execute(select(func.count(Appointment.id)).where(
        Appointment.starts_at >= begins, Appointment.starts_at < ends,
        Appointment.status == AppointmentStatus.NO_SHOW)).scalar_one()
    seen = func.coalesce(QueueEntry.called_at, QueueEntry.treatment_started_at)
    waits = [seen_at - entered for entered, seen_at in session.execute(
        select(QueueEntry.entered_at, seen).join(Visit, Visit.id == QueueEntry.visit_id)
        .where(period, seen.is_not(None)))]
    return VisitFigures(
        visits=sum(count for *_rest, count in kinds),
        first_visits=by_code.get(FIRST_VISIT_CODE, 0),
        return_visits=by_code.get(RETURN_VISIT_CODE, 0),
        by_kind=tuple(Total(code, name, 0, count) for _id, code, name, count in kinds),
        no_shows=no_shows, left_unseen=left, waits_counted=len(waits),
        average_wait=sum(waits, timedelta(0)) / len(waits) if waits else None,
        longest_wait=max(waits) if waits else None)


def _totals(rows: Iterable[Any], key: Callable[[Any], K], label: Callable[[Any], str],
            amount: Callable[[Any], int]) -> dict[K, Total]:
    sums: dict[K, list[Any]] = {}
    for row in rows:
        entry = sums.setdefault(key(row), [label(row), 0, 0])
        entry[1] += amount(row)
        entry[2] += 1
    return {k: Total(str(k), text, total, count) for k, (text, total, count) in sums.items()}


def _largest_first(totals: dict[Any, Total]) -> tuple[Total, ...]:
    return tuple(sorted(totals.values(), key=lambda t: (-t.amount, t.label)))


def build_report(session: Session, start: date, end: date, now: datetime) -> DayReport:
    settings: ClinicSettings = load_settings(session)
    tz = zone(settings.timezone)
    methods = _methods(session)
    names = _names(session)
    payments = _payments(session, start, end, methods, names)
    refunds = _refunds(session, start, end, methods, names)
    charges = _charges(session, start, end, names)
    taken: dict[int, int] = defaultdict(int)
    corrected: dict[int, int] = defaultdict(int)
    refunded: dict[int, int] = defaultdict(int)
    hours: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for p in payments:
        (corrected if p.correction_number else taken)[p.method_id] += p.amount
        hour = hours[p.at.astimezone(tz).hour]
        hour[0] += p.amount
        hour[1] += 1
    for r in refunds:
        refunded[r.method_id] += r.amount
        hour = hours[r.at.astimezone(tz).hour]
        hour[0] -= r.amount
        hour[1] += 1
    moved = set(taken) | set(corrected) | set(refunded)
    no_doctor = _("No doctor")
    head = audit.head(session)
    return DayReport(
        start=start, end=end, clinic_name=settings.clinic_name,
        clinic_address=settings.address, clinic_phone=settings.phone,
        currency=settings.currency, timezone=settings.timezone, generated_at=now,
        audit_head_id=head.last_entry_id, audit_head_hash=head.last_hash,
        methods=tuple(MethodTotals(m.id, m.name, m.kind, taken[m.id], corrected[m.id],
                                   refunded[m.id])
                      for m in methods.values() if m.id in moved),
        by_hour=tuple(HourTotal(h, amount, count) for h, (amount, count) in sorted(hours.items())),
        by_doctor=_largest_first(_totals(charges, lambda c: c.doctor_id or 0,
                                         lambda c: c.doctor or no_doctor, lambda c: c.amount)),
        by_item=_largest_first(_totals(charges, lambda c: c.item_key, lambda c: c.item,
                                       lambda c: c.amount)),
        by_category=_largest_first(_totals(charges, lambda c: c.category, lambda c: c.category,
                                           lambda c: c.amount)),
        payments=tuple(payments), refunds=tuple(refunds), charges=tuple(charges),
        discounts=tuple(_discounts(session, start, end, names)),
        corrections=tuple(_corrections(session, start, end, names)),
        closings=tuple(closing_records(session, start, end)),
        visits=visit_figures(session, start, end, settings.timezone))


def day_report(desk: Desk, start: date, end: date | None = None,
               actor: Actor | None = None) -> DayReport:
    """The manager's report for a day or a range of days.

    `actor` None is the command line, run by whoever holds the clinic's file; in the
    program only a manager may read the figures (a cashier sees the expected cash only
    after counting the drawer).
    """
    if actor is not None:
        require(actor, Permission.EXPORT_RECONCILIATION)
    end = end or start
    check_period(start, end)
    with desk.db.read() as session:
        return build_report(session, start, end, desk.clock.now())


def today_report(desk: Desk, actor: Actor) -> DayReport:
    """Today's figures so far, for the manager's live overview."""
    require(actor, Permission.EXPORT_RECONCILIATION)
    with desk.db.read() as session:
        now = desk.clock.now()
        today = clinic_today(session, now)
        return build_report(session, today, today, now)
