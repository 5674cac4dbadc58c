"""Doctors' schedules beyond their weekly hours (kept on the staff record, `staff.py`):
days off and one-off absences, and the appointments an absence hits.

An absence is whole days (from one date to another, both included) or part of one day
(from one time to another). Entering it lists the booked and confirmed appointments that
fall in it, so the desk can call those patients to move them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from clinic_desk.i18n import gettext as _
from clinic_desk.models import Absence, Staff
from clinic_desk.services import audit
from clinic_desk.services.auth import Permission, require
from clinic_desk.services.calendar import (OPEN, AbsenceSpan, CalendarBlock, ClinicHours,
                                           blocks_between, clinic_hours)
from clinic_desk.services.context import Actor, Desk
from clinic_desk.services.errors import Conflict, FieldErrors, NotFound
from clinic_desk.services.settings import clinic_today

MAX_REASON = 200


@dataclass(frozen=True)
class AbsenceResult:
    absence_id: int
    hit_appointments: list[CalendarBlock]


@dataclass(frozen=True)
class AbsenceRow:
    id: int
    staff_id: int
    staff_name: str
    start_date: date
    end_date: date
    start_time: time | None  # None: whole days
    end_time: time | None
    reason: str
    created_at: datetime
    created_by: str


def _span(absence: Absence) -> AbsenceSpan:
    return AbsenceSpan(absence.id, absence.staff_id, absence.start_date, absence.end_date,
                       absence.start_time, absence.end_time, absence.reason)


def _hit(session: Session, hours: ClinicHours, span: AbsenceSpan) -> list[CalendarBlock]:
    """The staff member's open appointments that overlap the absence."""
    blocks = blocks_between(session, hours, hours.whole_day(span.start_date)[0],
                            hours.whole_day(span.end_date)[1], doctor_id=span.staff_id,
                            statuses=OPEN)
    hit = []
    for block in blocks:
        cut = span.on(block.starts_at.date(), hours.tz)
        if cut is not None and block.starts_at < cut[1] and cut[0] < block.ends_at:
            hit.append(block)
    return hit


def _times(start: date | datetime, end: date | datetime, hours: ClinicHours,
           errors: FieldErrors) -> tuple[date, date, time | None, time | None]:
    """Whole days from two dates; part of a day from two aware datetimes on the same day."""
    if isinstance(start, datetime) and isinstance(end, datetime):
        if start.tzinfo is None or end.tzinfo is None:
            raise ValueError("absence times must be aware datetimes")
        first, last = hours.local(start), hours.local(end)
        if first.date() != last.date():
            errors.add("end", _("A part-day absence starts and ends on the same day; "
                                "enter whole days for longer ones."))
        elif last <= first:
            errors.add("end", _("The absence must end after it starts."))
        return first.date(), last.date(), first.time(), last.time()
    if isinstance(start, datetime) or isinstance(end, datetime):
        raise TypeError("give two dates (whole days) or two datetimes (part of a day)")
    if end < start:
        errors.add("end", _("The last day cannot be before the first."))
    return start, end, None, None


def add_absence(desk: Desk, actor: Actor, staff_id: int, start: date | datetime,
                end: date | datetime, reason: str) -> AbsenceResult:
    """Record a day off or absence; returns it with the appointments it hits."""
    require(actor, Permission.BOOK_APPOINTMENTS)
    now = desk.clock.now()
    text = reason.strip()
    with desk.db.write() as session:
        hours = clinic_hours(session)
        errors = FieldErrors()
        staff = session.get(Staff, staff_id)
        if staff is None or not staff.active:
            errors.add("staff_id", _("Choose a member of staff."))
        first, last, start_time, end_time = _times(start, end, hours, errors)
        if len(text) > MAX_REASON:
            errors.add("reason", _("At most {count} characters.").format(count=MAX_REASON))
        errors.raise_if_any()
        absence = Absence(staff_id=staff_id, start_date=first, end_date=last,
                          start_time=start_time, end_time=end_time, reason=text,
                          created_at=now, created_by_id=actor.staff_id)
        session.add(absence)
        session.flush()
        hit = _hit(session, hours, _span(absence))
        audit.record(session, now, actor.staff_id, "absence_added", "staff", staff_id, {
            "absence_id": absence.id, "start_date": first, "end_date": last,
            "start_time": start_time, "end_time": end_time,
            "appointments_hit": [b.appointment_id for b in hit]}, reason=text)
        return AbsenceResult(absence.id, hit)


def cancel_absence(desk: Desk, actor: Actor, absence_id: int) -> None:
    """The doctor works after all: the absence stays on record as cancelled."""
    require(actor, Permission.BOOK_APPOINTMENTS)
    now = desk.clock.now()
    with desk.db.write() as session:
        absence = session.get(Absence, absence_id)
        if absence is None:
            raise NotFound(_("This absence no longer exists."))
        if absence.cancelled_at is not None:
            raise Conflict(_("This absence was already cancelled."))
        absence.cancelled_at = now
        audit.record(session, now, actor.staff_id, "absence_cancelled", "staff",
                     absence.staff_id, {"absence_id": absence.id})


def appointments_hit(desk: Desk, absence_id: int) -> list[CalendarBlock]:
    """The open appointments an absence still hits: the list of calls to make."""
    with desk.db.read() as session:
        absence = session.get(Absence, absence_id)
        if absence is None:
            raise NotFound(_("This absence no longer exists."))
        return _hit(session, clinic_hours(session), _span(absence))


def list_absences(desk: Desk, staff_id: int | None = None,
                  from_day: date | None = None) -> list[AbsenceRow]:
    """Absences not cancelled that end on or after `from_day` (default: today)."""
    creator = aliased(Staff)
    with desk.db.read() as session:
        first = from_day or clinic_today(session, desk.clock.now())
        query = (select(Absence, Staff.full_name, creator.full_name)
                 .join(Staff, Staff.id == Absence.staff_id)
                 .outerjoin(creator, creator.id == Absence.created_by_id)
                 .where(Absence.cancelled_at.is_(None), Absence.end_date >= first)
                 .order_by(Absence.start_date, Absence.start_time, Absence.id))
        if staff_id is not None:
            query = query.where(Absence.staff_id == staff_id)
        return [AbsenceRow(a.id, a.staff_id, name, a.start_date, a.end_date, a.start_time,
                           a.end_time, a.reason, a.created_at, by or "")
                for a, name, by in session.execute(query)]
