"""Reminder calls (提醒确认) and follow-up calls (回访), with each call's outcome.

- Reminders: the day before, every patient booked for the next day is called; a call
  confirms, moves or cancels the appointment, or reaches nobody and is tried again.
- After treatment: a call the same evening ("how does the tooth feel") and one a year later
  (the free check), for each patient's latest treatment.
- No-shows: a call at once, then after 3 days, 1 week and 1 month, each made only while the
  patient has neither been reached nor booked again.

Reminders and after-treatment calls are derived from the appointments and visits when a list
is read; the first reader stores the missing ones, under the write lock, so every PC sees the
same calls with the same ids. No-show calls are stored by the no-show marking itself.
Calls are offered between 10:00 and 21:00 clinic time; a call that books or moves an
appointment does it in the same transaction as the call's record.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from clinic_desk.i18n import N_, format_time, gettext as _
from clinic_desk.models import (Appointment, AppointmentStatus, CallOutcome, FollowUp,
                                FollowUpCall, FollowUpKind, FollowUpStatus, Patient, Staff, Visit,
                                VisitKind)
from clinic_desk.services import audit
from clinic_desk.services.auth import Permission, require
from clinic_desk.services.calendar import (NO_SHOW_CALL_STEPS, OPEN, UNIT, BookingRequest,
                                           add_months, book_in, cancel_in, clinic_hours,
                                           confirm_in, mark_no_shows, move_in, no_show_call_date,
                                           phone_text)
from clinic_desk.services.checkin import TREATED_STATES
from clinic_desk.services.context import Actor, Desk
from clinic_desk.services.errors import Conflict, FieldErrors, NotFound, ValidationError
from clinic_desk.services.settings import clinic_today

CALL_WINDOW = (time(10, 0), time(21, 0))
MAX_NOTE = 500
#: How long a one-year call stays on the list when nobody has made it.
ONE_YEAR_LISTED_DAYS = 30

REMINDER_OUTCOMES = (CallOutcome.CONFIRMED, CallOutcome.RESCHEDULED, CallOutcome.CANCELLED,
                     CallOutcome.NO_ANSWER, CallOutcome.LEFT_MESSAGE, CallOutcome.UNREACHABLE)
FOLLOW_UP_OUTCOMES = (CallOutcome.BOOKED, CallOutcome.SPOKE, CallOutcome.NO_ANSWER,
                      CallOutcome.LEFT_MESSAGE, CallOutcome.UNREACHABLE)
#: Outcomes that reach nobody: the call is tried again.
NOT_REACHED = (CallOutcome.NO_ANSWER, CallOutcome.LEFT_MESSAGE, CallOutcome.UNREACHABLE)
#: Outcomes that need the booking the call made (new time, doctor, length).
NEEDS_BOOKING = (CallOutcome.BOOKED, CallOutcome.RESCHEDULED)
#: Outcomes whose note is the reason the appointment changed.
NEEDS_REASON = (CallOutcome.RESCHEDULED, CallOutcome.CANCELLED)

OUTCOME_LABELS = {
    CallOutcome.CONFIRMED: N_("Confirmed"),
    CallOutcome.RESCHEDULED: N_("Rescheduled"),
    CallOutcome.CANCELLED: N_("Cancelled"),
    CallOutcome.NO_ANSWER: N_("No answer"),
    CallOutcome.LEFT_MESSAGE: N_("Left a message"),
    CallOutcome.UNREACHABLE: N_("Unreachable"),
    CallOutcome.SPOKE: N_("Spoke, no appointment"),
    CallOutcome.BOOKED: N_("Appointment booked"),
}
KIND_LABELS = {
    FollowUpKind.REMINDER: N_("Reminder"),
    FollowUpKind.SAME_EVENING: N_("Same evening after treatment"),
    FollowUpKind.ONE_YEAR: N_("One year after treatment"),
    FollowUpKind.NO_SHOW: N_("Missed appointment"),
}


def outcome_label(outcome: CallOutcome) -> str:
    return _(OUTCOME_LABELS[outcome])


def kind_label(kind: FollowUpKind) -> str:
    return _(KIND_LABELS[kind])


def outcomes_for(kind: FollowUpKind) -> tuple[CallOutcome, ...]:
    """The outcomes the desk may record for a call of this kind."""
    return REMINDER_OUTCOMES if kind == FollowUpKind.REMINDER else FOLLOW_UP_OUTCOMES


def in_call_window(local_time: time) -> bool:
    return CALL_WINDOW[0] <= local_time < CALL_WINDOW[1]


def _local_now(session: Session, now: datetime) -> datetime:
    return clinic_hours(session).local(now)


def may_call_now(desk: Desk) -> bool:
    """Calls are only made between 10:00 and 21:00 clinic time."""
    with desk.db.read() as session:
        return in_call_window(_local_now(session, desk.clock.now()).time())


@dataclass(frozen=True)
class LastCall:
    outcome: CallOutcome | None
    by: str
    at: datetime | None
    attempts: int


def _last_calls(session: Session, follow_up_ids: Sequence[int]) -> dict[int, LastCall]:
    """Each follow-up's latest call, who made it, and how many calls it had."""
    if not follow_up_ids:
        return {}
    latest = (select(FollowUpCall.follow_up_id, func.max(FollowUpCall.id).label("last_id"),
                     func.count().label("n"))
              .where(FollowUpCall.follow_up_id.in_(list(follow_up_ids)))
              .group_by(FollowUpCall.follow_up_id).subquery())
    rows = session.execute(
        select(latest.c.follow_up_id, latest.c.n, FollowUpCall.outcome, FollowUpCall.at,
               Staff.full_name)
        .join(FollowUpCall, FollowUpCall.id == latest.c.last_id)
        .join(Staff, Staff.id == FollowUpCall.by_id)).all()
    return {follow_up_id: LastCall(outcome, name, at, n)
            for follow_up_id, n, outcome, at, name in rows}


_NOBODY_CALLED = LastCall(None, "", None, 0)


# --- storing the calls a list derives ------------------------------------------------------------

def _store_missing(desk: Desk, missing: Callable[[Session, datetime], list[FollowUp]]) -> None:
    """Store the follow-ups `missing` finds not yet stored: a plain read when there are
    none, else once more under the write lock (another PC may have stored them first)."""
    now = desk.clock.now()
    with desk.db.read() as session:
        if not missing(session, now):
            return
    with desk.db.write() as session:
        session.add_all(missing(session, now))


def _missing_reminders(session: Session, day: date, now: datetime) -> list[FollowUp]:
    """A reminder, due the day before, for each of the day's open appointments."""
    start, end = clinic_hours(session).whole_day(day)
    due = day - timedelta(days=1)
    has_reminder = select(FollowUp.appointment_id).where(
        FollowUp.kind == FollowUpKind.REMINDER, FollowUp.due_date == due,
        FollowUp.appointment_id.is_not(None))
    return [FollowUp(kind=FollowUpKind.REMINDER, patient_id=patient_id,
                     appointment_id=appointment_id, due_date=due, step=0, created_at=now)
            for appointment_id, patient_id in session.execute(
                select(Appointment.id, Appointment.patient_id).where(
                    Appointment.status.in_(OPEN), Appointment.starts_at >= start,
                    Appointment.starts_at < end, Appointment.id.not_in(has_reminder)))]


def _made_for_visits(kind: FollowUpKind) -> Select[tuple[int | None]]:
    return select(FollowUp.visit_id).where(FollowUp.kind == kind, FollowUp.visit_id.is_not(None))


def _missing_after_treatment(session: Session, day: date, now: datetime) -> list[FollowUp]:
    """The same-evening call of each visit treated on `day`, and the one-year call of each
    patient whose latest treatment was a year before (listed for ONE_YEAR_LISTED_DAYS)."""
    evening = session.execute(select(Visit.id, Visit.patient_id).where(
        Visit.business_date == day, Visit.state.in_(TREATED_STATES),
        Visit.id.not_in(_made_for_visits(FollowUpKind.SAME_EVENING)))).all()
    found = [FollowUp(kind=FollowUpKind.SAME_EVENING, patient_id=patient_id, visit_id=visit_id,
                      due_date=day, step=0, created_at=now) for visit_id, patient_id in evening]
    listed_from = day - timedelta(days=ONE_YEAR_LISTED_DAYS)
    later = aliased(Visit)
    treated_later = select(later.id).where(
        later.patient_id == Visit.patient_id, later.state.in_(TREATED_STATES),
        or_(later.business_date > Visit.business_date,
            and_(later.business_date == Visit.business_date, later.id > Visit.id))).exists()
    year_ago = session.execute(select(Visit.id, Visit.patient_id, Visit.business_date).where(
        Visit.business_date >= add_months(listed_from, -12) - timedelta(days=1),
        Visit.business_date <= add_months(day, -12), Visit.state.in_(TREATED_STATES),
        ~treated_later, Visit.id.not_in(_made_for_visits(FollowUpKind.ONE_YEAR)))).all()
    for visit_id, patient_id, treated_on in year_ago:
        due = add_months(treated_on, 12)
        if listed_from <= due <= day:
            found.append(FollowUp(kind=FollowUpKind.ONE_YEAR, patient_id=patient_id,
                                  visit_id=visit_id, due_date=due, step=0, created_at=now))
    return found


# --- reminders ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class ReminderRow:
    follow_up_id: int
    appointment_id: int
    appointment_version: int
    starts_at: datetime
    units: int
    patient_id: int
    patient_name: str
    record_number: str
    phone: str
    doctor_id: int
    doctor_name: str
    visit_kind: str
    status: AppointmentStatus
    last_outcome: CallOutcome | None
    called_by: str
    called_at: datetime | None
    attempts: int
    to_call: bool  # nobody reached yet

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + self.units * UNIT


def reminder_list(desk: Desk, day: date) -> list[ReminderRow]:
    """The reminder calls for the appointments of `day` (tomorrow, when the desk calls),
    in time order, with each call's latest outcome and who made it."""
    _store_missing(desk, lambda session, now: _missing_reminders(session, day, now))
    with desk.db.read() as session:
        hours = clinic_hours(session)
        start, end = hours.whole_day(day)
        rows = session.execute(
            select(FollowUp.id, FollowUp.status, Appointment, Patient.name,
                   Patient.record_number, Patient.phone, Staff.full_name, VisitKind.name)
            .join(Appointment, Appointment.id == FollowUp.appointment_id)
            .join(Patient, Patient.id == Appointment.patient_id)
            .join(Staff, Staff.id == Appointment.doctor_id)
            .join(VisitKind, VisitKind.id == Appointment.visit_kind_id)
            .where(FollowUp.kind == FollowUpKind.REMINDER,
                   FollowUp.due_date == day - timedelta(days=1))
            .order_by(Appointment.starts_at, Staff.staff_number, FollowUp.id)).all()
        calls = _last_calls(session, [row[0] for row in rows])
    result = []
    for follow_up_id, status, a, name, record_number, phone, doctor, kind in rows:
        last = calls.get(follow_up_id, _NOBODY_CALLED)
        on_day = start <= a.starts_at < end and a.status != AppointmentStatus.CANCELLED
        if not on_day and not last.attempts:
            continue  # moved or cancelled elsewhere before anyone called
        result.append(ReminderRow(
            follow_up_id=follow_up_id, appointment_id=a.id, appointment_version=a.version,
            starts_at=hours.local(a.starts_at), units=a.units, patient_id=a.patient_id,
            patient_name=name, record_number=record_number, phone=phone_text(phone),
            doctor_id=a.doctor_id, doctor_name=doctor, visit_kind=kind, status=a.status,
            last_outcome=last.outcome, called_by=last.by,
            called_at=hours.local(last.at) if last.at else None, attempts=last.attempts,
            to_call=status == FollowUpStatus.OPEN))
    return result


# --- follow-up calls ----------------------------------------------------------------------------

@dataclass(frozen=True)
class DueCall:
    follow_up_id: int
    kind: FollowUpKind
    step: int  # no-shows: 0 at once, 1 after 3 days, 2 after a week, 3 after a month
    due_date: date
    patient_id: int
    patient_name: str
    record_number: str
    phone: str
    doctor_id: int | None
    doctor_name: str
    about: datetime | None  # the missed appointment, or the treatment's check-in
    last_outcome: CallOutcome | None
    called_by: str
    called_at: datetime | None
    attempts: int


def due_calls(desk: Desk, day: date) -> list[DueCall]:
    """The follow-up calls to make on `day`: no-show calls due by then, the same-evening
    calls of the day's treatments, and one-year calls (each until it is made)."""
    mark_no_shows(desk)
    _store_missing(desk, lambda session, now: _missing_after_treatment(session, day, now))
    with desk.db.read() as session:
        hours = clinic_hours(session)
        doctor_id = func.coalesce(Appointment.doctor_id, Visit.doctor_id)
        rows = session.execute(
            select(FollowUp, Patient.name, Patient.record_number, Patient.phone, doctor_id,
                   Staff.full_name, Appointment.starts_at, Visit.checked_in_at)
            .join(Patient, Patient.id == FollowUp.patient_id)
            .outerjoin(Appointment, Appointment.id == FollowUp.appointment_id)
            .outerjoin(Visit, Visit.id == FollowUp.visit_id)
            .outerjoin(Staff, Staff.id == doctor_id)
            .where(FollowUp.status == FollowUpStatus.OPEN, or_(
                and_(FollowUp.kind == FollowUpKind.NO_SHOW, FollowUp.due_date <= day),
                and_(FollowUp.kind == FollowUpKind.SAME_EVENING, FollowUp.due_date == day),
                and_(FollowUp.kind == FollowUpKind.ONE_YEAR, FollowUp.due_date <= day,
                     FollowUp.due_date >= day - timedelta(days=ONE_YEAR_LISTED_DAYS))))
            .order_by(FollowUp.due_date, FollowUp.kind, FollowUp.id)).all()
        calls = _last_calls(session, [row[0].id for row in rows])
    result = []
    for f, name, record_number, phone, doctor, doctor_name, missed, treated in rows:
        last = calls.get(f.id, _NOBODY_CALLED)
        about = missed or treated
        result.append(DueCall(
            follow_up_id=f.id, kind=f.kind, step=f.step, due_date=f.due_date,
            patient_id=f.patient_id, patient_name=name, record_number=record_number,
            phone=phone_text(phone), doctor_id=doctor, doctor_name=doctor_name or "",
            about=hours.local(about) if about else None, last_outcome=last.outcome,
            called_by=last.by, called_at=hours.local(last.at) if last.at else None,
            attempts=last.attempts))
    return result


def _check_call(follow_up: FollowUp, outcome: CallOutcome, note: str,
                booking: BookingRequest | None) -> None:
    errors = FieldErrors()
    if outcome not in outcomes_for(follow_up.kind):
        errors.add("outcome", _("Choose what came of the call."))
    elif outcome in NEEDS_BOOKING and booking is None:
        errors.add("booking", _("Choose the time of the appointment."))
    elif outcome not in NEEDS_BOOKING and booking is not None:
        errors.add("booking", _("Only a call that books or moves an appointment books one."))
    elif booking is not None and booking.patient_id != follow_up.patient_id:
        errors.add("booking", _("The appointment must be for the patient called."))
    if outcome in NEEDS_REASON and not note.strip():
        errors.add("note", _("Give the reason."))
    elif len(note.strip()) > MAX_NOTE:
        errors.add("note", _("At most {count} characters.").format(count=MAX_NOTE))
    errors.raise_if_any()


def _reminder_outcome(session: Session, actor_id: int, follow_up: FollowUp,
                      outcome: CallOutcome, note: str, booking: BookingRequest | None,
                      now: datetime) -> int | None:
    """What a reminder call does to its appointment; the id of a moved appointment."""
    if outcome in NOT_REACHED:
        return None
    appointment = session.get(Appointment, follow_up.appointment_id)
    if appointment is None or appointment.status not in OPEN:
        raise Conflict(_("This appointment was changed at another desk. The list is "
                         "refreshed: check it and try again."))
    if outcome == CallOutcome.CONFIRMED:
        if appointment.status == AppointmentStatus.BOOKED:
            confirm_in(session, actor_id, appointment, now)
        return None
    if outcome == CallOutcome.CANCELLED:
        cancel_in(session, actor_id, appointment, now, note)
        return None
    if booking is None:  # _check_call asked for it
        return None
    move_in(session, actor_id, appointment, now, doctor_id=booking.doctor_id,
            starts_at=booking.starts_at, units=booking.units, reason=note,
            room_id=booking.room_id, allow_patient_overlap=booking.allow_patient_overlap)
    return appointment.id


def _next_no_show_call(session: Session, follow_up: FollowUp, today: date,
                       now: datetime) -> None:
    """Nobody reached: the next call of the no-show series, if any is left."""
    step = follow_up.step + 1
    if step >= NO_SHOW_CALL_STEPS:
        return
    appointment = session.get(Appointment, follow_up.appointment_id)
    missed = clinic_hours(session).local(appointment.starts_at).date() if appointment \
        else follow_up.due_date
    session.add(FollowUp(kind=FollowUpKind.NO_SHOW, patient_id=follow_up.patient_id,
                         appointment_id=follow_up.appointment_id, step=step, created_at=now,
                         due_date=max(no_show_call_date(missed, step),
                                      today + timedelta(days=1))))


def record_call(desk: Desk, actor: Actor, follow_up_id: int, outcome: CallOutcome, note: str,
                booking: BookingRequest | None = None) -> None:
    """Record a reminder or follow-up call and what came of it. A call that books (or, for
    a reminder, moves) an appointment does so in this same transaction: if the booking is
    refused, nothing of the call is recorded either."""
    require(actor, Permission.BOOK_APPOINTMENTS)
    now = desk.clock.now()
    with desk.db.write() as session:
        if not in_call_window(_local_now(session, now).time()):
            raise ValidationError.single("outcome", _(
                "Patients are called between {start} and {end} only.").format(
                start=format_time(CALL_WINDOW[0]), end=format_time(CALL_WINDOW[1])))
        follow_up = session.get(FollowUp, follow_up_id)
        if follow_up is None:
            raise NotFound(_("This call is no longer on the list."))
        if follow_up.status != FollowUpStatus.OPEN:
            raise Conflict(_("Another desk has already recorded this call. The list is "
                             "refreshed."))
        _check_call(follow_up, outcome, note, booking)
        text = note.strip()
        if follow_up.kind == FollowUpKind.REMINDER:
            booked = _reminder_outcome(session, actor.staff_id, follow_up, outcome, text,
                                       booking, now)
        elif booking is not None:
            booked = book_in(session, actor.staff_id, booking, now).id
        else:
            booked = None
        if outcome not in NOT_REACHED:
            follow_up.status = FollowUpStatus.DONE
        elif follow_up.kind == FollowUpKind.NO_SHOW:
            follow_up.status = FollowUpStatus.DONE
            _next_no_show_call(session, follow_up, clinic_today(session, now), now)
        session.add(FollowUpCall(follow_up_id=follow_up.id, at=now, by_id=actor.staff_id,
                                 outcome=outcome, note=text, booked_appointment_id=booked))
        audit.record(session, now, actor.staff_id, "call_recorded", "patient",
                     follow_up.patient_id, {
                         "follow_up_id": follow_up.id, "kind": follow_up.kind,
                         "step": follow_up.step, "outcome": outcome,
                         "appointment_id": follow_up.appointment_id,
                         "booked_appointment_id": booked}, reason=text)
