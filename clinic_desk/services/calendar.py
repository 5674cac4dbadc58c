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

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_desk.clock import zone
from clinic_desk.i18n import N_, gettext as _
from clinic_desk.models import (Absence, Appointment, AppointmentStatus, Patient, Role, Room,
                                Staff, StaffRole, UNIT_MINUTES, VisitKind, WorkingHours)
from clinic_desk.services.assignment import staff_number_order
from clinic_desk.services.context import Desk
from clinic_desk.services.errors import Conflict, NotFound
from clinic_desk.services.patients import display_phone
from clinic_desk.services.settings import load_settings, opening_hours

UNIT = timedelta(minutes=UNIT_MINUTES)
MAX_UNITS = 32  # eight hours: longer is a typing mistake
MAX_NOTE = 500
MAX_REASON = 500
#: How far ahead the free-slot finder looks.
FREE_SLOT_DAYS = 92
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


def absences_between(session: Session, staff_ids: Iterable[int] | None, first: date,
                     last: date) -> dict[int, list[AbsenceSpan]]:
    """Absences (not cancelled) touching [first, last], per member of staff."""
    query = select(Absence).where(Absence.cancelled_at.is_(None), Absence.start_date <= last,
                                  Absence.end_date >= first)
    if staff_ids is not None:
        query = query.where(Absence.staff_id.in_(list(staff_ids)))
    found: dict[int, list[AbsenceSpan]] = defaultdict(list)
    for a in session.execute(query.order_by(Absence.start_date, Absence.start_time)).scalars():
        found[a.staff_id].append(AbsenceSpan(a.id, a.staff_id, a.start_date, a.end_date,
                                             a.start_time, a.end_time, a.reason))
    return found


Shifts = dict[int, list[tuple[time, time]]]  # weekday -> working intervals


def weekly_hours(session: Session, staff_ids: Iterable[int]) -> dict[int, Shifts]:
    hours: dict[int, Shifts] = defaultdict(lambda: defaultdict(list))
    for staff_id, weekday, start, end in session.execute(
            select(WorkingHours.staff_id, WorkingHours.weekday, WorkingHours.start_time,
                   WorkingHours.end_time).where(WorkingHours.staff_id.in_(list(staff_ids)))
            .order_by(WorkingHours.weekday, WorkingHours.start_time)):
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


def _doctors(session: Session, also: Iterable[int] = ()) -> list[_Doctor]:
    """Active doctors, and any doctor in `also` (one who has bookings but left), in
    staff-number order."""
    extra = list(set(also))
    rows = session.execute(
        select(Staff.id, Staff.full_name, Staff.staff_number).join(
            StaffRole, StaffRole.staff_id == Staff.id)
        .where(StaffRole.role == Role.DOCTOR,
               Staff.active.is_(True) | Staff.id.in_(extra))).all()
    return sorted((_Doctor(*row) for row in rows),
                  key=lambda d: staff_number_order(d.staff_number))


# --- reading the calendar ---------------------------------------------------------------------

def _blocks(session: Session, hours: ClinicHours, start: datetime, end: datetime | None,
            doctor_id: int | None = None, patient_id: int | None = None,
            statuses: Sequence[AppointmentStatus] | None = None) -> list[CalendarBlock]:
    """Appointments starting in [start, end) (no end: ever after), not cancelled unless
    asked for, in time order."""
    query = (
        select(Appointment.id, Appointment.version, Appointment.doctor_id, Appointment.room_id,
               Appointment.starts_at, Appointment.units, Appointment.patient_id,
               Appointment.visit_kind_id, Appointment.status, Appointment.note,
               Patient.name, Patient.record_number, Patient.phone, VisitKind.name,
               Staff.full_name)
        .join(Patient, Patient.id == Appointment.patient_id)
        .join(VisitKind, VisitKind.id == Appointment.visit_kind_id)
        .join(Staff, Staff.id == Appointment.doctor_id)
        .where(Appointment.starts_at >= start)
        .order_by(Appointment.starts_at, Appointment.id))
    if end is not None:
        query = query.where(Appointment.starts_at < end)
    if statuses is None:
        query = query.where(Appointment.status != AppointmentStatus.CANCELLED)
    else:
        query = query.where(Appointment.status.in_(statuses))
    if doctor_id is not None:
        query = query.where(Appointment.doctor_id == doctor_id)
    if patient_id is not None:
        query = query.where(Appointment.patient_id == patient_id)
    tz = hours.tz
    blocks = []
    for (appointment_id, version, doctor, room, starts_at, units, patient, kind_id, status,
         note, name, record_number, phone, kind, doctor_name) in session.execute(query):
        column = (room if room is not None else NO_CHAIR) if hours.by_chair else doctor
        blocks.append(CalendarBlock(
            appointment_id=appointment_id, version=version, column_key=column,
            starts_at=starts_at.astimezone(tz), units=units, patient_id=patient,
            patient_name=name, record_number=record_number, phone=display_phone(phone),
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
    blocks = _blocks(session, hours, *hours.whole_day(day))
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
        blocks = _blocks(session, hours, hours.whole_day(days[0])[0],
                         hours.whole_day(days[-1])[1], doctor_id=doctor_id)
    by_day: dict[date, list[CalendarBlock]] = defaultdict(list)
    for block in blocks:
        by_day[block.starts_at.date()].append(block)
    return WeekView(doctor_id, tuple(
        DayView(day, *hours.span(day), tuple(columns[day]), tuple(by_day[day])) for day in days))


def patient_appointments(desk: Desk, patient_id: int,
                         after: datetime | None = None) -> list[CalendarBlock]:
    """The patient's coming appointments (booked or confirmed), soonest first."""
    with desk.db.read() as session:
        hours = _with_mode(clinic_hours(session), False)
        start = after or desk.clock.now()
        blocks = _blocks(session, hours, start - MAX_UNITS * UNIT, None, patient_id=patient_id,
                         statuses=OPEN)
    return [b for b in blocks if b.ends_at > start]
