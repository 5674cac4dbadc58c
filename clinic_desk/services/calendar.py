"""The appointment calendar (预约): day and week views, booking, moving, cancelling,
confirming, arrival, automatic no-shows and the free-slot finder.

Time is cut in 15-minute units. A booking is refused with the reason at its field when it
falls outside opening hours or the doctor's working hours, on a day off or an absence, in
the past, or on top of another booking of the same doctor (or chair). The overlap checks run
inside the write transaction, which holds the database's write lock from its first
statement (BEGIN IMMEDIATE): two PCs booking the same slot at once are served one after the
other, and the second sees the first booking.

Views hand out frozen dataclasses whose times are aware datetimes in the clinic's zone.
"""

from __future__ import annotations

import functools
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from operator import itemgetter
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Row, Select, String, bindparam, select, type_coerce
from sqlalchemy.orm import Session, aliased

from clinic_desk.clock import zone
from clinic_desk.i18n import N_, format_date, format_time, gettext as _, ngettext, weekday_name
from clinic_desk.models import (Absence, Appointment, AppointmentChange, AppointmentChangeKind,
                                AppointmentStatus, FollowUp, FollowUpKind, FollowUpStatus,
                                Patient, Role, Room, Staff, StaffRole, UNIT_MINUTES, Visit,
                                VisitKind, WorkingHours)
from clinic_desk.services import audit
from clinic_desk.services.assignment import staff_number_order
from clinic_desk.services.auth import Permission, require
from clinic_desk.services.checkin import (MAX_COMPLAINT, CheckInForm, CheckInRequest, check_in,
                                          propose_check_in)
from clinic_desk.services.context import Actor, Desk
from clinic_desk.services.day_lock import is_closed, require_open
from clinic_desk.services.errors import Conflict, FieldErrors, NotFound, ValidationError
from clinic_desk.services.patients import display_phone
from clinic_desk.services.settings import load_settings, opening_hours

UNIT = timedelta(minutes=UNIT_MINUTES)
MAX_UNITS = 32  # eight hours: longer is a typing mistake
MAX_NOTE = 500
MAX_REASON = 500
#: How far ahead the free-slot finder looks, and how many days of bookings it reads at once.
FREE_SLOT_DAYS = 92
CHUNK_DAYS = (1, 7, 28)  # the last one repeats
#: A booking occupies its slot in these states; cancelled and no-show slots are free again.
OCCUPYING = (AppointmentStatus.BOOKED, AppointmentStatus.CONFIRMED, AppointmentStatus.ARRIVED)
#: Still waiting for the patient: may be moved, cancelled, confirmed or arrived.
OPEN = (AppointmentStatus.BOOKED, AppointmentStatus.CONFIRMED)
NO_CHAIR = 0  # the column key of chair-view bookings that have no chair

STATUS_LABELS = {
    AppointmentStatus.BOOKED: N_("Booked"),
    AppointmentStatus.CONFIRMED: N_("Confirmed"),
    AppointmentStatus.ARRIVED: N_("Arrived"),
    AppointmentStatus.CANCELLED: N_("Cancelled"),
    AppointmentStatus.NO_SHOW: N_("No-show"),
}


def status_label(status: AppointmentStatus) -> str:
    return _(STATUS_LABELS[status])


Span = tuple[datetime, datetime]


@dataclass(frozen=True)
class CalendarColumn:
    """A doctor (or chair); `working` are the spans of the day this column can be booked."""

    key: int
    title: str
    working: tuple[Span, ...]


@dataclass(frozen=True)
class CalendarBlock:
    appointment_id: int
    version: int
    column_key: int
    starts_at: datetime
    units: int
    patient_id: int
    patient_name: str
    record_number: str
    phone: str
    visit_kind: str
    status: AppointmentStatus
    note: str
    doctor_id: int = 0
    doctor_name: str = ""
    room_id: int | None = None
    visit_kind_id: int = 0

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + self.units * UNIT


@dataclass(frozen=True)
class DayView:
    day: date
    opens: datetime
    closes: datetime
    columns: tuple[CalendarColumn, ...]
    blocks: tuple[CalendarBlock, ...]

    @property
    def rows(self) -> int:
        """How many 15-minute rows the day has between opening and closing."""
        return int((self.closes - self.opens) / UNIT)


@dataclass(frozen=True)
class WeekView:
    doctor_id: int
    days: tuple[DayView, ...]  # Monday to Sunday


@dataclass(frozen=True)
class BookingRequest:
    patient_id: int
    doctor_id: int
    starts_at: datetime
    units: int
    visit_kind_id: int
    note: str = ""
    room_id: int | None = None
    allow_patient_overlap: bool = False


@dataclass(frozen=True)
class FreeSlot:
    doctor_id: int
    starts_at: datetime
    doctor_name: str = ""


class PatientOverlap(Conflict):
    """The patient already has a booking at that time (with another doctor): the desk may
    confirm and book again with `allow_patient_overlap=True`."""

    def __init__(self, message: str, blocks: list[CalendarBlock]) -> None:
        super().__init__(message)
        self.blocks = blocks


# --- the clinic's day and the doctors' schedules --------------------------------------------

@dataclass(frozen=True)
class ClinicHours:
    tz: ZoneInfo
    opens: time
    closes: time
    by_chair: bool

    def span(self, day: date) -> Span:
        return (datetime.combine(day, self.opens, self.tz),
                datetime.combine(day, self.closes, self.tz))

    def whole_day(self, day: date) -> Span:
        """Local midnight to midnight (23 or 25 hours where clocks change)."""
        return (datetime.combine(day, time(), self.tz),
                datetime.combine(day + timedelta(days=1), time(), self.tz))

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.tz)


def clinic_hours(session: Session) -> ClinicHours:
    settings = load_settings(session)
    opens, closes = opening_hours(settings)
    return ClinicHours(zone(settings.timezone), opens, closes, settings.calendar_by_chair)


@dataclass(frozen=True)
class AbsenceSpan:
    """A day off or one-off absence; with times, the part of each of its days it covers."""

    id: int
    staff_id: int
    start_date: date
    end_date: date
    start_time: time | None
    end_time: time | None
    reason: str

    def on(self, day: date, tz: ZoneInfo) -> Span | None:
        """The span of `day` it covers (all of it for a whole-day absence), or None."""
        if not self.start_date <= day <= self.end_date:
            return None
        if self.start_time is None or self.end_time is None:
            return (datetime.combine(day, time(), tz),
                    datetime.combine(day + timedelta(days=1), time(), tz))
        return datetime.combine(day, self.start_time, tz), datetime.combine(day, self.end_time, tz)

    @property
    def whole_days(self) -> bool:
        return self.start_time is None


def _rows(session: Session, statement: Select[Any], **params: object) -> Sequence[Row[Any]]:
    """Plain rows of a select built once (see the `functools.cache` builders): building the
    statements and the ORM's result layer took half the time of a calendar read."""
    return session.connection().execute(statement, params).all()


def _instant(stored: str | datetime) -> datetime:
    """A stored instant read raw (`_STARTS`): SQLite gives the naive UTC text, other
    databases a naive datetime; parsed here in one C call instead of the column type's
    processing, a third of the free-slot search."""
    moment = stored if isinstance(stored, datetime) else datetime.fromisoformat(stored)
    return moment.replace(tzinfo=UTC)


#: An appointment's start, read without the column type's processing (see `_instant`).
_STARTS = type_coerce(Appointment.starts_at, String)


@functools.cache
def _absences_query() -> Select[Any]:
    return (select(Absence.id, Absence.staff_id, Absence.start_date, Absence.end_date,
                   Absence.start_time, Absence.end_time, Absence.reason)
            .where(Absence.cancelled_at.is_(None), Absence.start_date <= bindparam("last"),
                   Absence.end_date >= bindparam("first"),
                   Absence.staff_id.in_(bindparam("staff_ids", expanding=True)))
            .order_by(Absence.start_date, Absence.start_time))


def absences_between(session: Session, staff_ids: Iterable[int], first: date,
                     last: date) -> dict[int, list[AbsenceSpan]]:
    """Absences (not cancelled) touching [first, last], per member of staff."""
    found: dict[int, list[AbsenceSpan]] = defaultdict(list)
    for row in _rows(session, _absences_query(), staff_ids=list(staff_ids), first=first,
                     last=last):
        found[row.staff_id].append(AbsenceSpan(*row))
    return found


Shifts = dict[int, list[tuple[time, time]]]  # weekday -> working intervals


@functools.cache
def _weekly_query() -> Select[Any]:
    return (select(WorkingHours.staff_id, WorkingHours.weekday, WorkingHours.start_time,
                   WorkingHours.end_time)
            .where(WorkingHours.staff_id.in_(bindparam("staff_ids", expanding=True)))
            .order_by(WorkingHours.weekday, WorkingHours.start_time))


def weekly_hours(session: Session, staff_ids: Iterable[int]) -> dict[int, Shifts]:
    hours: dict[int, Shifts] = defaultdict(lambda: defaultdict(list))
    for staff_id, weekday, start, end in _rows(session, _weekly_query(),
                                               staff_ids=list(staff_ids)):
        hours[staff_id][weekday].append((start, end))
    return hours


def _subtract(spans: list[Span], cut: Span) -> list[Span]:
    result: list[Span] = []
    for start, end in spans:
        if cut[1] <= start or cut[0] >= end:
            result.append((start, end))
            continue
        if start < cut[0]:
            result.append((start, cut[0]))
        if cut[1] < end:
            result.append((cut[1], end))
    return result


def working_spans(hours: ClinicHours, day: date, shifts: Shifts,
                  absences: Sequence[AbsenceSpan]) -> tuple[Span, ...]:
    """When a doctor can be booked on `day`: weekly hours within opening hours, less absences."""
    opens, closes = hours.span(day)
    spans = [(max(datetime.combine(day, start, hours.tz), opens),
              min(datetime.combine(day, end, hours.tz), closes))
             for start, end in shifts.get(day.weekday(), ())]
    spans = [(start, end) for start, end in spans if start < end]
    for absence in absences:
        cut = absence.on(day, hours.tz)
        if cut is not None:
            spans = _subtract(spans, cut)
    return tuple(spans)


@dataclass(frozen=True)
class _Doctor:
    id: int
    name: str
    staff_number: str


@functools.cache
def _doctors_query() -> Select[Any]:
    return (select(Staff.id, Staff.full_name, Staff.staff_number)
            .join(StaffRole, StaffRole.staff_id == Staff.id)
            .where(StaffRole.role == Role.DOCTOR,
                   Staff.active.is_(True) | Staff.id.in_(bindparam("also", expanding=True))))


def _doctors(session: Session, also: Iterable[int] = ()) -> list[_Doctor]:
    """Active doctors, and any doctor in `also` (one who has bookings but left), in
    staff-number order."""
    rows = _rows(session, _doctors_query(), also=list(set(also)))
    return sorted((_Doctor(*row) for row in rows),
                  key=lambda d: staff_number_order(d.staff_number))


# --- reading the calendar ---------------------------------------------------------------------

def phone_text(e164: str) -> str:
    """`display_phone`, with mainland mobile numbers (most patients') spaced without the
    phone-number library: parsing 300 numbers took most of a day view's time."""
    if len(e164) == 14 and e164.startswith("+861") and e164[1:].isdigit():
        return f"{e164[3:6]} {e164[6:10]} {e164[10:]}"
    return display_phone(e164)


@functools.cache
def _blocks_query(bounded: bool, by_doctor: bool, by_patient: bool,
                  statuses: tuple[AppointmentStatus, ...] | None) -> Select[Any]:
    """Built once per shape: building the select took a fifth of a day view's time."""
    query = (
        select(Appointment.id, Appointment.version, Appointment.doctor_id, Appointment.room_id,
               _STARTS, Appointment.units, Appointment.patient_id,
               Appointment.visit_kind_id, Appointment.status, Appointment.note,
               Patient.name, Patient.record_number, Patient.phone, VisitKind.name,
               Staff.full_name)
        .join(Patient, Patient.id == Appointment.patient_id)
        .join(VisitKind, VisitKind.id == Appointment.visit_kind_id)
        .join(Staff, Staff.id == Appointment.doctor_id)
        .where(Appointment.starts_at >= bindparam("start"))
        .order_by(Appointment.starts_at, Appointment.id))
    if bounded:
        query = query.where(Appointment.starts_at < bindparam("end"))
    if statuses is None:
        query = query.where(Appointment.status != AppointmentStatus.CANCELLED)
    else:
        query = query.where(Appointment.status.in_(statuses))
    if by_doctor:
        query = query.where(Appointment.doctor_id == bindparam("doctor_id"))
    if by_patient:
        query = query.where(Appointment.patient_id == bindparam("patient_id"))
    return query


def blocks_between(session: Session, hours: ClinicHours, start: datetime,
                   end: datetime | None, doctor_id: int | None = None,
                   patient_id: int | None = None,
                   statuses: Sequence[AppointmentStatus] | None = None) -> list[CalendarBlock]:
    """Appointments starting in [start, end) (no end: ever after), not cancelled unless
    asked for, in time order."""
    query = _blocks_query(end is not None, doctor_id is not None, patient_id is not None,
                          tuple(statuses) if statuses is not None else None)
    tz = hours.tz
    blocks = []
    for (appointment_id, version, doctor, room, starts_at, units, patient, kind_id, status,
         note, name, record_number, phone, kind, doctor_name) in _rows(
            session, query, start=start, end=end, doctor_id=doctor_id, patient_id=patient_id):
        column = (room if room is not None else NO_CHAIR) if hours.by_chair else doctor
        blocks.append(CalendarBlock(
            appointment_id=appointment_id, version=version, column_key=column,
            starts_at=_instant(starts_at).astimezone(tz), units=units, patient_id=patient,
            patient_name=name, record_number=record_number, phone=phone_text(phone),
            visit_kind=kind, status=status, note=note, doctor_id=doctor,
            doctor_name=doctor_name, room_id=room, visit_kind_id=kind_id))
    return blocks


def _with_mode(hours: ClinicHours, by_chair: bool | None) -> ClinicHours:
    if by_chair is None or by_chair == hours.by_chair:
        return hours
    return ClinicHours(hours.tz, hours.opens, hours.closes, by_chair)


def _chair_columns(session: Session, hours: ClinicHours, day: date,
                   blocks: Sequence[CalendarBlock]) -> list[CalendarColumn]:
    used = {b.column_key for b in blocks}
    rooms = session.execute(select(Room.id, Room.name).where(
        Room.active.is_(True) | Room.id.in_(used)).order_by(Room.sort_order, Room.id)).all()
    span = (hours.span(day),)
    columns = [CalendarColumn(room_id, name, span) for room_id, name in rooms]
    if NO_CHAIR in used:
        columns.append(CalendarColumn(NO_CHAIR, _("No chair"), span))
    return columns


def _doctor_columns(session: Session, hours: ClinicHours, days: Sequence[date],
                    doctors: Sequence[_Doctor]) -> dict[date, list[CalendarColumn]]:
    ids = [d.id for d in doctors]
    weekly = weekly_hours(session, ids)
    absent = absences_between(session, ids, days[0], days[-1])
    return {day: [CalendarColumn(d.id, d.name, working_spans(hours, day, weekly.get(d.id, {}),
                                                             absent.get(d.id, ())))
                  for d in doctors]
            for day in days}


def read_day(session: Session, day: date, by_chair: bool | None = None) -> DayView:
    hours = _with_mode(clinic_hours(session), by_chair)
    blocks = blocks_between(session, hours, *hours.whole_day(day))
    if hours.by_chair:
        columns = _chair_columns(session, hours, day, blocks)
    else:
        doctors = _doctors(session, (b.doctor_id for b in blocks))
        columns = _doctor_columns(session, hours, [day], doctors)[day]
    opens, closes = hours.span(day)
    return DayView(day, opens, closes, tuple(columns), tuple(blocks))


def day_view(desk: Desk, day: date, by_chair: bool | None = None) -> DayView:
    """One day, a column per doctor (or chair: None follows the clinic setting)."""
    with desk.db.read() as session:
        return read_day(session, day, by_chair)


def week_view(desk: Desk, doctor_id: int, any_day_of_week: date) -> WeekView:
    """One doctor's week, Monday to Sunday, one column per day."""
    monday = any_day_of_week - timedelta(days=any_day_of_week.weekday())
    days = [monday + timedelta(days=n) for n in range(7)]
    with desk.db.read() as session:
        hours = _with_mode(clinic_hours(session), False)
        doctor = session.execute(select(Staff.id, Staff.full_name, Staff.staff_number)
                                 .where(Staff.id == doctor_id)).first()
        if doctor is None:
            raise NotFound(_("This member of staff no longer exists."))
        columns = _doctor_columns(session, hours, days, [_Doctor(*doctor)])
        blocks = blocks_between(session, hours, hours.whole_day(days[0])[0],
                                hours.whole_day(days[-1])[1], doctor_id=doctor_id)
    by_day: dict[date, list[CalendarBlock]] = defaultdict(list)
    for block in blocks:
        by_day[block.starts_at.date()].append(block)
    return WeekView(doctor_id, tuple(
        DayView(day, *hours.span(day), tuple(columns[day]), tuple(by_day[day])) for day in days))


def default_units(desk: Desk, patient_id: int | None, visit_kind_id: int | None) -> int:
    """The length to offer: a new patient's check-up is one unit; otherwise the visit
    kind's usual length (the doctor states how many units the next visit needs)."""
    with desk.db.read() as session:
        if patient_id is None or session.execute(select(Visit.id).where(
                Visit.patient_id == patient_id).limit(1)).first() is None:
            return 1
        kind = session.get(VisitKind, visit_kind_id) if visit_kind_id is not None else None
        return max(1, kind.default_units) if kind is not None else 1


@dataclass(frozen=True)
class ChangeRow:
    """One line of an appointment's history (改约 keeps the reason)."""

    kind: AppointmentChangeKind
    at: datetime
    by: str
    old_doctor: str
    old_starts_at: datetime | None
    old_units: int | None
    new_doctor: str
    new_starts_at: datetime | None
    new_units: int | None
    reason: str


def appointment_history(desk: Desk, appointment_id: int) -> list[ChangeRow]:
    """Every booking, move and status change of an appointment, oldest first."""
    by, old, new = aliased(Staff), aliased(Staff), aliased(Staff)
    with desk.db.read() as session:
        tz = clinic_hours(session).tz
        rows = session.execute(
            select(AppointmentChange, by.full_name, old.full_name, new.full_name)
            .outerjoin(by, by.id == AppointmentChange.by_id)
            .outerjoin(old, old.id == AppointmentChange.old_doctor_id)
            .outerjoin(new, new.id == AppointmentChange.new_doctor_id)
            .where(AppointmentChange.appointment_id == appointment_id)
            .order_by(AppointmentChange.id)).all()

    def local(moment: datetime | None) -> datetime | None:
        return moment.astimezone(tz) if moment is not None else None

    return [ChangeRow(c.kind, c.at.astimezone(tz), who or "", old_name or "",
                      local(c.old_starts_at), c.old_units, new_name or "",
                      local(c.new_starts_at), c.new_units, c.reason)
            for c, who, old_name, new_name in rows]


# --- checking a slot ----------------------------------------------------------------------------

def _hhmm(moment: datetime | time, tz: ZoneInfo | None = None) -> str:
    return format_time(moment, "short", tz=tz)


def _doctor_row(session: Session, doctor_id: int) -> _Doctor | None:
    """An active doctor (columns only: loading the staff entity also loads its roles and
    hours, which made each booking three queries longer)."""
    row = session.execute(
        select(Staff.id, Staff.full_name, Staff.staff_number)
        .join(StaffRole, StaffRole.staff_id == Staff.id)
        .where(Staff.id == doctor_id, Staff.active.is_(True), StaffRole.role == Role.DOCTOR)
    ).first()
    return _Doctor(*row) if row is not None else None


def _check_form(session: Session, hours: ClinicHours, now: datetime, doctor_id: int,
                starts_at: datetime, units: int, moved_start: bool, room_id: int | None,
                visit_kind_id: int | None = None, note: str = "") -> _Doctor:
    """Every field that can be judged on its own, all reported at once."""
    if starts_at.tzinfo is None:
        raise ValueError("starts_at must be an aware datetime")
    errors = FieldErrors()
    if units < 1:
        errors.add("units", _("Enter a length of at least one unit (15 minutes)."))
    elif units > MAX_UNITS:
        errors.add("units", _("At most {count} units.").format(count=MAX_UNITS))
    local = hours.local(starts_at)
    if local.minute % UNIT_MINUTES or local.second or local.microsecond:
        errors.add("starts_at", _("Appointments start on the quarter hour."))
    elif moved_start and starts_at < now:
        errors.add("starts_at", _("This time has already passed."))
    doctor = _doctor_row(session, doctor_id)
    if doctor is None:
        errors.add("doctor_id", _("Choose a doctor."))
    if hours.by_chair and room_id is None:
        errors.add("room_id", _("Choose a chair."))
    elif room_id is not None:
        room = session.get(Room, room_id)
        if room is None or not room.active:
            errors.add("room_id", _("Choose a chair."))
    if visit_kind_id is not None:
        kind = session.get(VisitKind, visit_kind_id)
        if kind is None or not kind.active:
            errors.add("visit_kind_id", _("Choose the visit kind."))
    if len(note.strip()) > MAX_NOTE:
        errors.add("note", _("At most {count} characters.").format(count=MAX_NOTE))
    errors.raise_if_any()
    return cast(_Doctor, doctor)  # not None: reported above


def _refuse_outside_hours(session: Session, hours: ClinicHours, doctor: _Doctor,
                          start: datetime, end: datetime) -> None:
    """Opening hours, then the doctor's day off, absences and working hours."""
    day = hours.local(start).date()
    opens, closes = hours.span(day)
    tz = hours.tz
    if not opens <= start < closes:
        raise ValidationError.single("starts_at", _(
            "The clinic is open from {opens} to {closes}.").format(
            opens=_hhmm(hours.opens), closes=_hhmm(hours.closes)))
    if end > closes:
        raise ValidationError.single("units", _(
            "This would end at {end}, after closing time ({closes}).").format(
            end=_hhmm(end, tz), closes=_hhmm(hours.closes)))
    shifts = weekly_hours(session, [doctor.id]).get(doctor.id, {})
    if not shifts.get(day.weekday()):
        raise ValidationError.single("starts_at", _("{name} does not work on {weekday}.").format(
            name=doctor.name, weekday=weekday_name(day.weekday())))
    absences = absences_between(session, [doctor.id], day, day).get(doctor.id, [])
    for absence in absences:
        cut = absence.on(day, tz)
        if cut is not None and cut[0] < end and start < cut[1]:
            raise ValidationError.single("starts_at",
                                         _absent_message(doctor, absence, day, cut, tz))
    spans = working_spans(hours, day, shifts, absences)
    span = next((s for s in spans if s[0] <= start < s[1]), None)
    if span is None:
        raise ValidationError.single("starts_at", _(
            "{name} works {hours} on {weekday}.").format(
            name=doctor.name, weekday=weekday_name(day.weekday()),
            hours=", ".join(f"{_hhmm(a, tz)}–{_hhmm(b, tz)}" for a, b in spans)))
    if end > span[1]:
        fit = int((span[1] - start) / UNIT)
        raise ValidationError.single("units", ngettext(
            "{name} stops at {time}: from this start at most {count} unit fits.",
            "{name} stops at {time}: from this start at most {count} units fit.", fit).format(
            name=doctor.name, time=_hhmm(span[1], tz), count=fit))


def _absent_message(doctor: _Doctor, absence: AbsenceSpan, day: date, span: Span,
                    tz: ZoneInfo) -> str:
    when = format_date(day) if absence.whole_days else \
        f"{format_date(day)} {_hhmm(span[0], tz)}–{_hhmm(span[1], tz)}"
    if absence.reason:
        return _("{name} is away {when}: {reason}.").format(
            name=doctor.name, when=when, reason=absence.reason)
    return _("{name} is away {when}.").format(name=doctor.name, when=when)


def _overlapping(session: Session, start: datetime, end: datetime, *,
                 doctor_id: int | None = None, room_id: int | None = None,
                 patient_id: int | None = None, ignore_id: int | None = None) -> list[Appointment]:
    """Bookings holding part of [start, end) for this doctor, chair or patient."""
    query = select(Appointment).where(
        Appointment.status.in_(OCCUPYING), Appointment.starts_at < end,
        Appointment.starts_at > start - MAX_UNITS * UNIT)
    if doctor_id is not None:
        query = query.where(Appointment.doctor_id == doctor_id)
    if room_id is not None:
        query = query.where(Appointment.room_id == room_id)
    if patient_id is not None:
        query = query.where(Appointment.patient_id == patient_id)
    if ignore_id is not None:
        query = query.where(Appointment.id != ignore_id)
    return [a for a in session.execute(query.order_by(Appointment.starts_at)).scalars()
            if a.starts_at + a.units * UNIT > start]


def _refuse_overlaps(session: Session, hours: ClinicHours, doctor: _Doctor, patient_id: int,
                     start: datetime, end: datetime, room_id: int | None,
                     allow_patient_overlap: bool, ignore_id: int | None = None) -> None:
    tz = hours.tz
    taken = _overlapping(session, start, end, doctor_id=doctor.id, ignore_id=ignore_id)
    if taken:
        first = taken[0]
        raise ValidationError.single("starts_at", _(
            "{name} already has an appointment from {start} to {end}.").format(
            name=doctor.name, start=_hhmm(first.starts_at, tz),
            end=_hhmm(first.starts_at + first.units * UNIT, tz)))
    if room_id is not None:
        taken = _overlapping(session, start, end, room_id=room_id, ignore_id=ignore_id)
        if taken:
            first = taken[0]
            room = session.get(Room, room_id)
            raise ValidationError.single("starts_at", _(
                "{chair} is booked from {start} to {end}.").format(
                chair=room.name if room else "", start=_hhmm(first.starts_at, tz),
                end=_hhmm(first.starts_at + first.units * UNIT, tz)))
    if allow_patient_overlap:
        return
    mine = _overlapping(session, start, end, patient_id=patient_id, ignore_id=ignore_id)
    if mine:
        blocks = [b for b in blocks_between(session, hours, start - MAX_UNITS * UNIT, end,
                                            patient_id=patient_id, statuses=OCCUPYING)
                  if b.appointment_id in {a.id for a in mine}]
        first_block = blocks[0]
        raise PatientOverlap(_(
            "{patient} already has an appointment with {doctor} from {start} to {end}. "
            "Book this one as well?").format(
            patient=first_block.patient_name, doctor=first_block.doctor_name,
            start=_hhmm(first_block.starts_at, tz), end=_hhmm(first_block.ends_at, tz)), blocks)


def _check_slot(session: Session, hours: ClinicHours, now: datetime, doctor: _Doctor,
                patient_id: int, start: datetime, units: int, room_id: int | None,
                allow_patient_overlap: bool, ignore_id: int | None = None) -> None:
    end = start + units * UNIT
    _refuse_outside_hours(session, hours, doctor, start, end)
    require_open(session, hours.local(start).date())
    _refuse_overlaps(session, hours, doctor, patient_id, start, end, room_id,
                     allow_patient_overlap, ignore_id)


def _reason(text: str) -> str:
    cleaned = text.strip()
    if not cleaned:
        raise ValidationError.single("reason", _("Give the reason."))
    if len(cleaned) > MAX_REASON:
        raise ValidationError.single("reason", _("At most {count} characters.").format(
            count=MAX_REASON))
    return cleaned


# --- booking and changing -----------------------------------------------------------------------

def _change(session: Session, appointment: Appointment, kind: AppointmentChangeKind,
            now: datetime, actor_id: int | None, reason: str = "",
            old: tuple[int, datetime, int] | None = None) -> None:
    """The appointment's own history row, its new version, and the audit entry."""
    appointment.version += 1
    new = (appointment.doctor_id, appointment.starts_at, appointment.units)
    moved = kind in (AppointmentChangeKind.BOOKED, AppointmentChangeKind.RESCHEDULED)
    session.add(AppointmentChange(
        appointment_id=appointment.id, kind=kind, at=now, by_id=actor_id,
        old_doctor_id=old[0] if old else None, old_starts_at=old[1] if old else None,
        old_units=old[2] if old else None,
        new_doctor_id=new[0] if moved else None, new_starts_at=new[1] if moved else None,
        new_units=new[2] if moved else None, reason=reason))
    details: dict[str, object] = {
        "patient_id": appointment.patient_id, "doctor_id": appointment.doctor_id,
        "starts_at": appointment.starts_at, "units": appointment.units,
        "status": appointment.status}
    if old is not None:
        details["from"] = {"doctor_id": old[0], "starts_at": old[1], "units": old[2]}
    audit.record(session, now, actor_id, f"appointment_{kind.value}", "appointment",
                 appointment.id, details, reason=reason)


def _end_no_show_calls(session: Session, patient_id: int) -> None:
    """A patient who booked again needs no more calls about the appointment they missed."""
    for follow_up in session.execute(select(FollowUp).where(
            FollowUp.patient_id == patient_id, FollowUp.kind == FollowUpKind.NO_SHOW,
            FollowUp.status == FollowUpStatus.OPEN)).scalars():
        follow_up.status = FollowUpStatus.CANCELLED


def book_in(session: Session, actor_id: int, request: BookingRequest,
            now: datetime) -> Appointment:
    """Check and book inside the caller's transaction (a follow-up call books this way)."""
    if session.execute(select(Patient.id).where(Patient.id == request.patient_id)).first() \
            is None:
        raise NotFound(_("This patient no longer exists."))
    hours = clinic_hours(session)
    doctor = _check_form(session, hours, now, request.doctor_id, request.starts_at,
                         request.units, True, request.room_id, request.visit_kind_id,
                         request.note)
    _check_slot(session, hours, now, doctor, request.patient_id, request.starts_at,
                request.units, request.room_id, request.allow_patient_overlap)
    appointment = Appointment(
        patient_id=request.patient_id, doctor_id=doctor.id, room_id=request.room_id,
        visit_kind_id=request.visit_kind_id, starts_at=request.starts_at, units=request.units,
        status=AppointmentStatus.BOOKED, note=request.note.strip(), created_at=now,
        created_by_id=actor_id, version=0)
    session.add(appointment)
    session.flush()
    _change(session, appointment, AppointmentChangeKind.BOOKED, now, actor_id)
    _end_no_show_calls(session, request.patient_id)
    return appointment


def book(desk: Desk, actor: Actor, request: BookingRequest) -> int:
    """Book an appointment; refused with the reason at its field, or PatientOverlap."""
    require(actor, Permission.BOOK_APPOINTMENTS)
    with desk.db.write() as session:
        return book_in(session, actor.staff_id, request, desk.clock.now()).id


def _appointment(session: Session, appointment_id: int, version: int,
                 allowed: Sequence[AppointmentStatus] = OPEN) -> Appointment:
    appointment = session.get(Appointment, appointment_id)
    if appointment is None:
        raise NotFound(_("This appointment no longer exists."))
    if appointment.version != version or appointment.status not in allowed:
        raise Conflict(_("Another desk has just changed this appointment. The calendar is "
                         "refreshed: check it and try again."))
    return appointment


def move_in(session: Session, actor_id: int, appointment: Appointment, now: datetime, *,
            doctor_id: int, starts_at: datetime, units: int, reason: str,
            room_id: int | None = None, allow_patient_overlap: bool = False) -> None:
    """Reschedule inside the caller's transaction; the appointment was checked as open."""
    text = _reason(reason)
    hours = clinic_hours(session)
    room = room_id if room_id is not None else appointment.room_id
    old = (appointment.doctor_id, appointment.starts_at, appointment.units)
    moved_start = starts_at != appointment.starts_at or doctor_id != appointment.doctor_id
    doctor = _check_form(session, hours, now, doctor_id, starts_at, units, moved_start, room)
    if not moved_start and units == appointment.units and room == appointment.room_id:
        raise ValidationError.single("starts_at", _("Choose another time, doctor or length."))
    _check_slot(session, hours, now, doctor, appointment.patient_id, starts_at, units, room,
                allow_patient_overlap, ignore_id=appointment.id)
    appointment.doctor_id, appointment.starts_at = doctor.id, starts_at
    appointment.units, appointment.room_id = units, room
    if moved_start:
        appointment.status = AppointmentStatus.BOOKED  # the new time is not confirmed yet
    _change(session, appointment, AppointmentChangeKind.RESCHEDULED, now, actor_id, text, old)


def reschedule(desk: Desk, actor: Actor, appointment_id: int, version: int, *, doctor_id: int,
               starts_at: datetime, units: int, reason: str, room_id: int | None = None,
               allow_patient_overlap: bool = False) -> None:
    """Move or resize an appointment (改约), keeping the old place and the reason.

    `room_id` None keeps the appointment's chair."""
    require(actor, Permission.BOOK_APPOINTMENTS)
    now = desk.clock.now()
    with desk.db.write() as session:
        appointment = _appointment(session, appointment_id, version)
        move_in(session, actor.staff_id, appointment, now, doctor_id=doctor_id,
                starts_at=starts_at, units=units, reason=reason, room_id=room_id,
                allow_patient_overlap=allow_patient_overlap)


def cancel_in(session: Session, actor_id: int, appointment: Appointment, now: datetime,
              reason: str) -> None:
    text = _reason(reason)
    appointment.status = AppointmentStatus.CANCELLED
    _change(session, appointment, AppointmentChangeKind.CANCELLED, now, actor_id, text)


def cancel(desk: Desk, actor: Actor, appointment_id: int, version: int, reason: str) -> None:
    """Cancel a booked or confirmed appointment, giving the reason; its slot is free again."""
    require(actor, Permission.BOOK_APPOINTMENTS)
    now = desk.clock.now()
    with desk.db.write() as session:
        cancel_in(session, actor.staff_id, _appointment(session, appointment_id, version), now,
                  reason)


def confirm_in(session: Session, actor_id: int, appointment: Appointment,
               now: datetime) -> None:
    appointment.status = AppointmentStatus.CONFIRMED
    _change(session, appointment, AppointmentChangeKind.CONFIRMED, now, actor_id)


def confirm(desk: Desk, actor: Actor, appointment_id: int, version: int) -> None:
    """The patient confirmed (提醒确认), usually at the reminder call the day before."""
    require(actor, Permission.BOOK_APPOINTMENTS)
    now = desk.clock.now()
    with desk.db.write() as session:
        confirm_in(session, actor.staff_id,
                   _appointment(session, appointment_id, version, (AppointmentStatus.BOOKED,)),
                   now)


def mark_arrived(desk: Desk, actor: Actor, appointment_id: int, version: int) -> int:
    """The patient is here: check them in to the queue through the reception's check-in,
    with the appointment's doctor and visit kind; returns the visit id."""
    with desk.db.read() as session:
        appointment = _appointment(session, appointment_id, version)
        patient_id, note = appointment.patient_id, appointment.note
    request = CheckInRequest(patient_id=patient_id, appointment_id=appointment_id)
    proposal = propose_check_in(desk, request)
    return check_in(desk, actor, CheckInForm(
        request=request, visit_kind_id=proposal.visit_kind_id,
        chief_complaint=note[:MAX_COMPLAINT], doctor_id=proposal.assignment.doctor_id)).visit_id


# --- no-shows -----------------------------------------------------------------------------------

#: Days after a no-show on which the desk calls: at once, after 3 days, 1 week, 1 month.
NO_SHOW_CALL_DAYS = (0, 3, 7)
NO_SHOW_CALL_STEPS = len(NO_SHOW_CALL_DAYS) + 1  # the last one a month on


def add_months(day: date, months: int) -> date:
    """The same day `months` later; the month's last day when it is shorter (31 Jan → 28 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
    return date(year, month, min(day.day, last))


def no_show_call_date(missed: date, step: int) -> date:
    """When the `step`th call (0-based) after a missed appointment is due."""
    if step < len(NO_SHOW_CALL_DAYS):
        return missed + timedelta(days=NO_SHOW_CALL_DAYS[step])
    return add_months(missed, 1)


def _past_due(session: Session, now: datetime) -> list[int]:
    """Open appointments whose slot has ended (the status index makes this two seeks)."""
    rows = session.execute(select(Appointment.id, Appointment.starts_at, Appointment.units).where(
        Appointment.status.in_(OPEN), Appointment.starts_at <= now - UNIT)).all()
    return [appointment_id for appointment_id, start, units in rows if start + units * UNIT <= now]


def mark_no_shows(desk: Desk) -> int:
    """Every appointment not arrived by the end of its slot becomes a no-show (爽约) and gets
    its first follow-up call; returns how many. Cheap when there is nothing to mark (one
    indexed read), so screens call it on each refresh; several PCs may call it at once."""
    now = desk.clock.now()
    with desk.db.read() as session:
        if not _past_due(session, now):
            return 0
    with desk.db.write() as session:
        hours = clinic_hours(session)
        ids = _past_due(session, now)  # again under the write lock: another PC may have been first
        for appointment in session.execute(select(Appointment).where(
                Appointment.id.in_(ids)).order_by(Appointment.starts_at)).scalars():
            appointment.status = AppointmentStatus.NO_SHOW
            _change(session, appointment, AppointmentChangeKind.NO_SHOW, now, None)
            session.add(FollowUp(
                kind=FollowUpKind.NO_SHOW, patient_id=appointment.patient_id,
                appointment_id=appointment.id, step=0, created_at=now,
                due_date=no_show_call_date(hours.local(appointment.starts_at).date(), 0)))
        return len(ids)


# --- free slots ---------------------------------------------------------------------------------

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _ceil_to_unit(moment: datetime) -> datetime:
    """The first quarter hour at or after `moment`. Counted from the epoch: every time zone's
    offset is a whole number of quarter hours, so this is the quarter hour in local time too."""
    excess = (moment - _EPOCH) % UNIT
    return moment + (UNIT - excess) if excess else moment


def _utc(span: Span) -> Span:
    """Comparing datetimes of one tzinfo skips the zone lookups, a tenth of the search."""
    return span[0].astimezone(UTC), span[1].astimezone(UTC)


def free_slots(desk: Desk, units: int, doctor_id: int | None, after: datetime,
               limit: int = 10, room_id: int | None = None) -> list[FreeSlot]:
    """The first `limit` starts (earliest first; at one time, doctors in staff-number order)
    where `units` fit in a doctor's working hours without touching another booking.

    Looks up to FREE_SLOT_DAYS ahead, reading the bookings of the first day, then of the
    week after, then of four weeks at a time: most searches end on the first day, and a full
    calendar still takes few reads.
    """
    if units < 1 or units > MAX_UNITS:
        raise ValidationError.single("units", _("Enter a length between 1 and {count} units.")
                                     .format(count=MAX_UNITS))
    with desk.db.read() as session:
        hours = clinic_hours(session)
        earliest = _ceil_to_unit(max(after, desk.clock.now()).astimezone(UTC))
        doctors = [d for d in _doctors(session) if doctor_id is None or d.id == doctor_id]
        if not doctors:
            return []
        ids = [d.id for d in doctors]
        weekly = weekly_hours(session, ids)
        first_day = hours.local(earliest).date()
        last_day = first_day + timedelta(days=FREE_SLOT_DAYS - 1)
        absent = absences_between(session, ids, first_day, last_day)
        # Only today can already be closed (a day is closed at its end).
        closed = {first_day} if is_closed(session, first_day) else set()
        found: list[FreeSlot] = []
        chunk_start, chunk_number = first_day, 0
        length = units * UNIT
        while chunk_start <= last_day and len(found) < limit:
            chunk_days = CHUNK_DAYS[min(chunk_number, len(CHUNK_DAYS) - 1)]
            chunk = [chunk_start + timedelta(days=n) for n in range(chunk_days)
                     if chunk_start + timedelta(days=n) <= last_day]
            busy, chair = _busy(session, hours, chunk[0], chunk[-1], ids, room_id)
            for day in chunk:
                if day in closed:
                    continue
                day_start, day_end = _utc(hours.whole_day(day))
                chair_today = _on_day(chair, day_start, day_end)
                starts: list[tuple[datetime, int, _Doctor]] = []
                for order, doctor in enumerate(doctors):
                    spans = [_utc(span) for span in working_spans(
                        hours, day, weekly.get(doctor.id, {}), absent.get(doctor.id, ()))]
                    taken = _on_day(busy.get(doctor.id, []), day_start, day_end)
                    if chair_today:
                        taken = sorted(taken + chair_today)
                    for start in _fits(spans, taken, earliest, length):
                        starts.append((start, order, doctor))
                for start, _order, doctor in sorted(starts, key=lambda s: (s[0], s[1])):
                    found.append(FreeSlot(doctor.id, hours.local(start), doctor.name))
                    if len(found) == limit:
                        return found
            chunk_start += timedelta(days=chunk_days)
            chunk_number += 1
        return found


Busy = dict[int, list[Span]]


@functools.cache
def _busy_query(with_chair: bool) -> Select[Any]:
    who = Appointment.doctor_id.in_(bindparam("doctor_ids", expanding=True))
    if with_chair:
        who = who | (Appointment.room_id == bindparam("room_id"))
    return (select(Appointment.doctor_id, Appointment.room_id, _STARTS, Appointment.units)
            .where(who, Appointment.status.in_(OCCUPYING),
                   Appointment.starts_at >= bindparam("start"),
                   Appointment.starts_at < bindparam("end"))
            .order_by(Appointment.starts_at))


def _busy(session: Session, hours: ClinicHours, first: date, last: date,
          doctor_ids: Sequence[int], room_id: int | None) -> tuple[Busy, list[Span]]:
    """The booked spans (in UTC, by start) of these days per doctor, and the chair's."""
    by_doctor: Busy = defaultdict(list)
    chair: list[Span] = []
    for doctor_id, room, stored, units in _rows(
            session, _busy_query(room_id is not None), doctor_ids=list(doctor_ids),
            room_id=room_id, start=hours.whole_day(first)[0] - MAX_UNITS * UNIT,
            end=hours.whole_day(last)[1]):
        starts_at = _instant(stored)
        span = (starts_at, starts_at + units * UNIT)
        by_doctor[doctor_id].append(span)
        if room_id is not None and room == room_id:
            chair.append(span)
    return by_doctor, chair


def _on_day(spans: list[Span], day_start: datetime, day_end: datetime) -> list[Span]:
    """The spans (sorted by start) that start within a day, or run into it."""
    begin = bisect_left(spans, day_start - MAX_UNITS * UNIT, key=itemgetter(0))
    return spans[begin:bisect_left(spans, day_end, key=itemgetter(0))]


def _fits(spans: Sequence[Span], taken: Sequence[Span], earliest: datetime,
          length: timedelta) -> Iterable[datetime]:
    """Quarter-hour starts within `spans`, from `earliest`, where `length` touches nothing
    `taken` (sorted by start)."""
    for span_start, span_end in spans:
        moment = _ceil_to_unit(max(span_start, earliest))
        for busy_start, busy_end in taken:
            if busy_end <= moment:
                continue
            while moment + length <= min(busy_start, span_end):
                yield moment
                moment += UNIT
            moment = max(moment, _ceil_to_unit(busy_end))
            if moment >= span_end:
                break
        while moment + length <= span_end:
            yield moment
            moment += UNIT
