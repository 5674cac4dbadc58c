"""Closing a till's business day (日结): the blind count, the close, the handover (交接) and
re-opening.

The order is the point of a blind count, so the services enforce it: `close_sheet` tells
the cashier what to count and never an expected figure; `record_count` writes the count
and the terminals' totals to the audit log (hash-chained: it cannot be changed once the
figures are seen) and only then returns the expected figures; `close_day` closes on that
recorded count and no other. A recount is allowed and recorded too; the close uses the
last one.

A closing is numbered and immutable and locks the day (`day_lock`). A manager re-opens it
with a reason; closing again writes a new version that names the one it supersedes, so
every version stays on record.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select, union
from sqlalchemy.orm import Session

from clinic_desk.i18n import format_date, gettext as _
from clinic_desk.models import (AuditEntry, CashCountLine, CashStation, DayClosing,
                                DayClosingMethodTotal, DayHandover, DayReopening, Payment,
                                PaymentKind, Refund)
from clinic_desk.money import AmountError, format_money, parse_amount
from clinic_desk.services import audit
from clinic_desk.services.auth import Approval, Permission, can, is_manager, require
from clinic_desk.services.cashdesk import ApprovalNeeded
from clinic_desk.services.context import Actor, Desk
from clinic_desk.services.errors import (Conflict, FieldErrors, NotFound, PermissionDenied,
                                         ValidationError)
from clinic_desk.services.numbering import take_next
from clinic_desk.services.reconciliation import (ClosingRecord, MethodTotals, at_station,
                                                 closing_records, default_station_id,
                                                 till_totals)
from clinic_desk.services.settings import ClinicSettings, clinic_today, load_settings

CLOSING_SERIES = "day_closing"
COUNT_ACTION = "cash_counted"
MAX_COUNT = 100_000
MAX_TEXT = 1000
#: Methods whose totals come from a terminal or a merchant account, compared at the close.
TERMINAL_KINDS = (PaymentKind.CARD, PaymentKind.WECHAT, PaymentKind.ALIPAY, PaymentKind.OTHER)


@dataclass(frozen=True)
class StationChoice:
    id: int
    name: str


def cash_stations(desk: Desk) -> list[StationChoice]:
    with desk.db.read() as session:
        return [StationChoice(s.id, s.name) for s in session.execute(
            select(CashStation).where(CashStation.active.is_(True))
            .order_by(CashStation.sort_order, CashStation.id)).scalars()]


# --- what is closed and what comes next -----------------------------------------------------

def _latest(session: Session, station_id: int, *conditions: object) -> DayClosing | None:
    return session.execute(
        select(DayClosing).where(DayClosing.cash_station_id == station_id, *conditions)
        .order_by(DayClosing.business_date.desc(), DayClosing.version.desc()).limit(1)
    ).scalar_one_or_none()


def _reopened(session: Session, closing: DayClosing) -> bool:
    return session.execute(select(DayReopening.id).where(
        DayReopening.closing_id == closing.id)).first() is not None


def _station(session: Session, station_id: int | None) -> CashStation:
    station = session.get(CashStation, station_id) if station_id is not None else None
    if station_id is None:
        default_id = default_station_id(session)
        station = session.get(CashStation, default_id) if default_id is not None else None
    if station is None or not station.active:
        raise ValidationError.single("cash_station_id", _("Choose a cash desk."))
    return station


def _unclosed_days(session: Session, station_id: int, after: date, before: date) -> list[date]:
    """Days strictly between `after` and `before` on which this till moved money but which
    have no close."""
    default_id = default_station_id(session)
    moved = union(
        select(Payment.business_date).where(
            Payment.business_date > after, Payment.business_date < before,
            at_station(Payment.cash_station_id, station_id, default_id)),
        select(Refund.business_date).where(
            Refund.business_date > after, Refund.business_date < before,
            at_station(Refund.cash_station_id, station_id, default_id))).subquery()
    closed = select(DayClosing.business_date).where(DayClosing.cash_station_id == station_id,
                                                    DayClosing.business_date > after,
                                                    DayClosing.business_date < before)
    return list(session.execute(select(moved.c.business_date).where(
        moved.c.business_date.not_in(closed)).order_by(moved.c.business_date)).scalars())


@dataclass(frozen=True)
class _Next:
    version: int
    supersedes: DayClosing | None
    opening_float: int | None
    carried_from: str


def _next_close(session: Session, day: date, station: CashStation, today: date) -> _Next:
    """Which version of the day's close comes next and the float it opens with; refuses a
    second close, a future day, and days closed out of order."""
    if day > today:
        raise ValidationError.single("business_date", _("A day can only be closed once it has "
                                                        "begun."))
    this_day = _latest(session, station.id, DayClosing.business_date == day)
    if this_day is not None:
        if not _reopened(session, this_day):
            raise Conflict(_("{station} has already closed {day} (closing {number}).").format(
                station=station.name, day=format_date(day), number=this_day.number))
        return _Next(this_day.version + 1, this_day, this_day.opening_float, this_day.number)
    later = _latest(session, station.id, DayClosing.business_date > day)
    if later is not None:
        raise Conflict(_("{station} has already closed a later day ({day}).").format(
            station=station.name, day=format_date(later.business_date)))
    previous = _latest(session, station.id, DayClosing.business_date < day)
    if previous is None:
        return _Next(1, None, None, "")
    if _reopened(session, previous):
        raise Conflict(_("{day} was re-opened: close it again first.").format(
            day=format_date(previous.business_date)))
    unclosed = _unclosed_days(session, station.id, previous.business_date, day)
    if unclosed:
        raise Conflict(_("{day} was not closed: close it first.").format(
            day=format_date(unclosed[0])))
    return _Next(1, None, previous.float_kept, previous.number)


# --- 1. what to count -------------------------------------------------------------------------

@dataclass(frozen=True)
class TerminalMethod:
    method_id: int
    name: str
    kind: PaymentKind


@dataclass(frozen=True)
class CloseSheet:
    """What the cashier fills in, and nothing of what the program expects to find."""

    business_date: date
    cash_station_id: int
    station_name: str
    currency: str
    denominations: tuple[int, ...]
    terminal_methods: tuple[TerminalMethod, ...]
    opening_float: int | None  # carried from the previous close; None: the cashier enters it
    carried_from: str          # that close's number
    version: int


def _terminal_methods(totals: tuple[MethodTotals, ...]) -> tuple[TerminalMethod, ...]:
    return tuple(TerminalMethod(t.method_id, t.name, t.kind) for t in totals
                 if t.kind in TERMINAL_KINDS)


def close_sheet(desk: Desk, actor: Actor, day: date,
                cash_station_id: int | None = None) -> CloseSheet:
    require(actor, Permission.CLOSE_DAY)
    with desk.db.read() as session:
        station = _station(session, cash_station_id)
        following = _next_close(session, day, station, clinic_today(session, desk.clock.now()))
        settings = load_settings(session)
        return CloseSheet(
            business_date=day, cash_station_id=station.id, station_name=station.name,
            currency=settings.currency, denominations=settings.denominations(),
            terminal_methods=_terminal_methods(till_totals(session, day, station.id)),
            opening_float=following.opening_float, carried_from=following.carried_from,
            version=following.version)


# --- 2. the blind count -----------------------------------------------------------------------

@dataclass(frozen=True)
class CountForm:
    business_date: date
    cash_station_id: int
    counts: Mapping[int, str]     # denomination (minor units) -> how many, as typed
    reported: Mapping[int, str]   # method id -> the terminal's / merchant's total, as typed
    opening_float_text: str = ""  # only when no float is carried from a previous close


@dataclass(frozen=True)
class MethodComparison:
    method_id: int
    name: str
    kind: PaymentKind
    system: int
    reported: int | None

    @property
    def difference(self) -> int:
        return (self.reported or 0) - self.system


@dataclass(frozen=True)
class CountResult:
    """The figures revealed once the count is on record."""

    count_id: int
    business_date: date
    cash_station_id: int
    version: int
    currency: str
    opening_float: int
    cash_taken: int      # cash payments, with the correction register's changes
    cash_refunded: int
    counted_cash: int
    methods: tuple[MethodComparison, ...]
    tolerance: int
    approval_limit: int

    @property
    def expected_cash(self) -> int:
        return self.opening_float + self.cash_taken - self.cash_refunded

    @property
    def cash_difference(self) -> int:
        return self.counted_cash - self.expected_cash

    @property
    def largest_difference(self) -> int:
        return max([abs(self.cash_difference)] + [abs(m.difference) for m in self.methods])

    @property
    def needs_explanation(self) -> bool:
        return self.largest_difference > self.tolerance

    @property
    def needs_approval(self) -> bool:
        return self.largest_difference > self.approval_limit


def _parse_count(text: str) -> int:
    cleaned = text.strip()
    if not cleaned:
        return 0
    if cleaned.startswith("-") and cleaned[1:].strip().isdigit():
        raise ValueError(_("A count cannot be negative."))
    if not cleaned.isascii() or not cleaned.isdigit():
        raise ValueError(_("Enter a whole number of notes or coins."))
    if int(cleaned) > MAX_COUNT:
        raise ValueError(_("At most {count}.").format(count=MAX_COUNT))
    return int(cleaned)


def _check_count(form: CountForm, sheet: CloseSheet,
                 errors: FieldErrors) -> tuple[dict[int, int], dict[int, int | None], int]:
    lines: dict[int, int] = {}
    for denomination in sheet.denominations:
        try:
            lines[denomination] = _parse_count(form.counts.get(denomination, ""))
        except ValueError as error:
            errors.add(f"counts.{denomination}", str(error))
    unknown = set(form.counts) - set(sheet.denominations)
    if unknown:
        errors.add("counts", _("Count only the notes and coins of the clinic's currency."))
    reported: dict[int, int | None] = {}
    for method in sheet.terminal_methods:
        text = form.reported.get(method.method_id, "").strip()
        try:
            reported[method.method_id] = parse_amount(text, sheet.currency,
                                                      allow_negative=True) if text else None
        except AmountError as error:
            errors.add(f"reported.{method.method_id}", error.message)
    opening_float = sheet.opening_float or 0
    if sheet.opening_float is None:
        try:
            opening_float = parse_amount(form.opening_float_text, sheet.currency)
        except AmountError as error:
            errors.add("opening_float", error.message if form.opening_float_text.strip()
                       else _("Enter the cash the drawer held when the day began."))
    return lines, reported, opening_float


@dataclass(frozen=True)
class _Count:
    """A blind count as the audit log holds it."""

    business_date: date
    cash_station_id: int
    version: int
    opening_float: int
    lines: tuple[tuple[int, int], ...]    # (denomination, count) of what was there
    reported: dict[int, int | None]      # method id -> terminal total
    counted_cash: int
    figures: list[list[int]]

    def details(self) -> dict[str, Any]:
        return {"business_date": self.business_date, "cash_station_id": self.cash_station_id,
                "version": self.version, "opening_float": self.opening_float,
                "lines": [list(line) for line in self.lines],
                "reported": [[m, amount] for m, amount in self.reported.items()],
                "counted_cash": self.counted_cash, "figures": self.figures}

    @classmethod
    def from_details(cls, text: str) -> _Count:
        data = json.loads(text)
        return cls(business_date=date.fromisoformat(data["business_date"]),
                   cash_station_id=data["cash_station_id"], version=data["version"],
                   opening_float=data["opening_float"],
                   lines=tuple((d, c) for d, c in data["lines"]),
                   reported={m: amount for m, amount in data["reported"]},
                   counted_cash=data["counted_cash"], figures=data["figures"])


def _figures(totals: tuple[MethodTotals, ...]) -> list[list[int]]:
    """A fingerprint of the till's figures, to notice money posted after the count."""
    return [[t.method_id, t.taken, t.corrected, t.refunded] for t in totals]


def _cash(totals: tuple[MethodTotals, ...]) -> tuple[int, int]:
    cash = [t for t in totals if t.kind == PaymentKind.CASH]
    return sum(t.taken + t.corrected for t in cash), sum(t.refunded for t in cash)


def record_count(desk: Desk, actor: Actor, form: CountForm) -> CountResult:
    """Put the blind count and the terminals' totals on record, then show the figures."""
    require(actor, Permission.CLOSE_DAY)
    now = desk.clock.now()
    with desk.db.write() as session:
        station = _station(session, form.cash_station_id)
        following = _next_close(session, form.business_date, station, clinic_today(session, now))
        settings = load_settings(session)
        totals = till_totals(session, form.business_date, station.id)
        sheet = CloseSheet(form.business_date, station.id, station.name, settings.currency,
                           settings.denominations(), _terminal_methods(totals),
                           following.opening_float, following.carried_from, following.version)
        errors = FieldErrors()
        lines, reported, opening_float = _check_count(form, sheet, errors)
        errors.raise_if_any()
        count = _Count(
            business_date=form.business_date, cash_station_id=station.id,
            version=following.version, opening_float=opening_float,
            lines=tuple((d, c) for d, c in lines.items() if c), reported=reported,
            counted_cash=sum(d * c for d, c in lines.items()), figures=_figures(totals))
        entry = audit.record(session, now, actor.staff_id, COUNT_ACTION, "day_closing", None,
                             count.details())
        return _result(entry.id, count, totals, settings)


def _result(count_id: int, count: _Count, totals: tuple[MethodTotals, ...],
            settings: ClinicSettings) -> CountResult:
    cash_taken, cash_refunded = _cash(totals)
    return CountResult(
        count_id=count_id, business_date=count.business_date,
        cash_station_id=count.cash_station_id, version=count.version,
        currency=settings.currency, opening_float=count.opening_float, cash_taken=cash_taken,
        cash_refunded=cash_refunded, counted_cash=count.counted_cash,
        methods=tuple(MethodComparison(t.method_id, t.name, t.kind, t.received,
                                       count.reported.get(t.method_id))
                      for t in totals if t.kind in TERMINAL_KINDS),
        tolerance=settings.closing_tolerance, approval_limit=settings.closing_approval_limit)


# --- 3. the close -----------------------------------------------------------------------------

@dataclass(frozen=True)
class CloseForm:
    count_id: int
    explanation: str = ""
    float_kept_text: str = ""  # blank: keep the day's opening float (at most what was counted)


@dataclass(frozen=True)
class ClosedDay:
    closing_id: int
    number: str
    version: int


def _recorded_count(session: Session, actor: Actor, count_id: int) -> _Count:
    """The count `close_day` may close on: this cashier's, and the last one for its till
    and day."""
    entry = session.get(AuditEntry, count_id)
    if entry is None or entry.action != COUNT_ACTION:
        raise NotFound(_("This count is not on record. Count the drawer again."))
    count = _Count.from_details(entry.details)
    if entry.actor_id != actor.staff_id:
        raise Conflict(_("The drawer was counted by someone else. Count it yourself."))
    later = session.execute(select(AuditEntry.details).where(
        AuditEntry.action == COUNT_ACTION, AuditEntry.id > count_id)).scalars()
    if any((other.business_date, other.cash_station_id) == (count.business_date,
                                                             count.cash_station_id)
           for other in map(_Count.from_details, later)):
        raise Conflict(_("The drawer was counted again since: close on the last count."))
    return count


def _float_kept(form: CloseForm, opening_float: int, counted: int, currency: str) -> int:
    if not form.float_kept_text.strip():
        return min(opening_float, counted)
    try:
        kept = parse_amount(form.float_kept_text, currency)
    except AmountError as error:
        raise ValidationError.single("float_kept", error.message) from None
    if kept > counted:
        raise ValidationError.single("float_kept", _("More than the cash counted."))
    return kept


def _approver(session: Session, actor: Actor, result: CountResult,
              approval: Approval | None) -> int | None:
    if not result.needs_approval:
        return None
    if approval is None:
        raise ApprovalNeeded(_("A difference above {limit} needs a manager's approval.").format(
            limit=format_money(result.approval_limit, result.currency)))
    if approval.staff_id == actor.staff_id:
        raise PermissionDenied(_("Another manager must approve your own close."))
    if not is_manager(session, approval.staff_id):
        raise PermissionDenied(_("Only a manager can approve this."))
    return approval.staff_id


def close_day(desk: Desk, actor: Actor, form: CloseForm,
              approval: Approval | None = None) -> ClosedDay:
    """Close the till's day on the recorded count: numbered, immutable, and the day locked."""
    require(actor, Permission.CLOSE_DAY)
    now = desk.clock.now()
    explanation = form.explanation.strip()
    with desk.db.write() as session:
        count = _recorded_count(session, actor, form.count_id)
        day = count.business_date
        station = _station(session, count.cash_station_id)
        following = _next_close(session, day, station, clinic_today(session, now))
        if following.version != count.version:
            raise Conflict(_("The day was closed since this count. Count the drawer again."))
        totals = till_totals(session, day, station.id)
        if _figures(totals) != count.figures:
            raise Conflict(_("Money was posted since the count. Count the drawer again."))
        settings = load_settings(session)
        result = _result(form.count_id, count, totals, settings)
        errors = FieldErrors()
        if result.needs_explanation and not explanation:
            errors.add("explanation", _("Explain the difference: it is more than {tolerance}.")
                       .format(tolerance=format_money(result.tolerance, result.currency)))
        elif len(explanation) > MAX_TEXT:
            errors.add("explanation", _("At most {count} characters.").format(count=MAX_TEXT))
        errors.raise_if_any()
        kept = _float_kept(form, result.opening_float, result.counted_cash, settings.currency)
        approver = _approver(session, actor, result, approval)
        head = audit.head(session)
        closing = DayClosing(
            number=f"{take_next(session, CLOSING_SERIES):06d}", business_date=day,
            cash_station_id=station.id, version=following.version,
            supersedes_id=following.supersedes.id if following.supersedes else None,
            opening_float=result.opening_float, cash_taken=result.cash_taken,
            cash_refunded=result.cash_refunded, expected_cash=result.expected_cash,
            counted_cash=result.counted_cash, difference=result.cash_difference,
            float_kept=kept, explanation=explanation, difference_approved_by_id=approver,
            closed_at=now, closed_by_id=actor.staff_id, audit_head_id=head.last_entry_id,
            audit_head_hash=head.last_hash)
        session.add(closing)
        session.flush()
        session.add_all(CashCountLine(closing_id=closing.id, denomination=d, count=c)
                        for d, c in count.lines)
        session.add_all(DayClosingMethodTotal(
            closing_id=closing.id, method_id=m.method_id, system_total=m.system,
            reported_total=m.reported, difference=m.difference) for m in result.methods)
        audit.record(session, now, actor.staff_id, "day_closed", "day_closing", closing.id, {
            "number": closing.number, "business_date": day, "cash_station_id": station.id,
            "version": closing.version, "count_entry_id": form.count_id,
            "expected_cash": closing.expected_cash, "counted_cash": closing.counted_cash,
            "difference": closing.difference, "float_kept": kept,
            "methods": [[m.method_id, m.system, m.reported] for m in result.methods]},
            reason=explanation, approved_by_id=approver)
        return ClosedDay(closing.id, closing.number, closing.version)


# --- 4. handover and re-opening -----------------------------------------------------------------

def _effective(session: Session, closing_id: int) -> DayClosing:
    closing = session.get(DayClosing, closing_id)
    if closing is None:
        raise NotFound(_("This closing no longer exists."))
    if _reopened(session, closing):
        raise Conflict(_("Closing {number} was re-opened.").format(number=closing.number))
    return closing


def accept_handover(desk: Desk, receiver: Actor, closing_id: int, note: str = "") -> None:
    """The designated receiver, a manager logged in as themselves, accepts the close (交接)."""
    if not can(receiver, Permission.APPROVE):
        raise PermissionDenied(_("Only a manager can accept a day's close."))
    now = desk.clock.now()
    with desk.db.write() as session:
        closing = _effective(session, closing_id)
        if closing.closed_by_id == receiver.staff_id:
            raise PermissionDenied(_("You closed this day yourself: another manager must "
                                     "accept it."))
        if session.execute(select(DayHandover.id).where(
                DayHandover.closing_id == closing.id)).first():
            raise Conflict(_("Closing {number} was already accepted.").format(
                number=closing.number))
        if len(note.strip()) > MAX_TEXT:
            raise ValidationError.single("note", _("At most {count} characters.").format(
                count=MAX_TEXT))
        handover = DayHandover(closing_id=closing.id, received_by_id=receiver.staff_id,
                               received_at=now, note=note.strip())
        session.add(handover)
        session.flush()
        audit.record(session, now, receiver.staff_id, "day_handed_over", "day_closing",
                     closing.id, {"number": closing.number,
                                  "cash_handed_over": closing.counted_cash - closing.float_kept},
                     reason=note.strip())


def reopen_day(desk: Desk, actor: Actor, closing_id: int, reason: str,
               approval: Approval | None = None) -> None:
    """A manager re-opens a closed day; the closing stays on record beside the new one."""
    now = desk.clock.now()
    reason = reason.strip()
    if not reason:
        raise ValidationError.single("reason", _("Give the reason."))
    if len(reason) > MAX_TEXT:
        raise ValidationError.single("reason", _("At most {count} characters.").format(
            count=MAX_TEXT))
    with desk.db.write() as session:
        closing = _effective(session, closing_id)
        manager = actor.staff_id if can(actor, Permission.APPROVE) else None
        if manager is None and approval is not None and is_manager(session, approval.staff_id):
            manager = approval.staff_id
        if manager is None:
            if approval is None:
                raise ApprovalNeeded(_("Re-opening a closed day needs a manager."))
            raise PermissionDenied(_("Only a manager can approve this."))
        session.add(DayReopening(closing_id=closing.id, reopened_by_id=manager, reopened_at=now,
                                 reason=reason))
        session.flush()
        audit.record(session, now, actor.staff_id, "day_reopened", "day_closing", closing.id,
                     {"number": closing.number, "business_date": closing.business_date},
                     reason=reason, approved_by_id=manager)


# --- what the close screen lists ---------------------------------------------------------------

def day_closings(desk: Desk, actor: Actor, day: date) -> list[ClosingRecord]:
    """Every version of the day's closes; the cashier sees them once closed."""
    require(actor, Permission.CLOSE_DAY)
    with desk.db.read() as session:
        return closing_records(session, day, day)

