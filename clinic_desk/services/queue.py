"""The waiting queue (候诊): who waits for which doctor or station, in what order, for how
long, and what the desk does with each patient.

Order in each queue: emergencies, then VIPs, then patients whose appointment is due (by
appointment time), then everyone else by arrival; the desk may move a patient up or down
within their group, giving a reason. Every action names the version of the row it was
shown, so a patient another PC has just called or finished is never acted on twice.
"""

from __future__ import annotations

import enum
import functools
import weakref
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, aliased

from clinic_desk.clock import zone
from clinic_desk.db import Database
from clinic_desk.i18n import gettext as _
from clinic_desk.models import (Appointment, Patient, QueueEntry, QueueState, Room, Staff,
                                Station, Visit, VisitKind, VisitState)
from clinic_desk.services import audit
from clinic_desk.services.auth import Permission, require
from clinic_desk.services.context import Actor, Desk
from clinic_desk.services.duty import is_on_duty, on_duty_ids
from clinic_desk.services.errors import Conflict, FieldErrors, NotFound, ValidationError
from clinic_desk.services.patients import Flag, flags_of
from clinic_desk.services.settings import load_settings

ACTIVE_STATES = (QueueState.WAITING, QueueState.CALLED, QueueState.IN_TREATMENT)
HISTORY_DAYS = 30
DEFAULT_STATION_MINUTES = 10
MAX_REASON = 500


class Group(enum.IntEnum):
    """Who goes first, in this order."""

    EMERGENCY = 0
    VIP = 1
    APPOINTMENT_DUE = 2
    ARRIVAL = 3


class AlertLevel(enum.IntEnum):
    NONE = 0
    FIRST = 1   # offer something: a drink, health education material
    SECOND = 2  # go and explain the delay; stays until a receptionist acknowledges it


@dataclass(frozen=True)
class QueueRow:
    entry_id: int
    version: int
    visit_id: int
    patient_id: int
    patient_name: str
    record_number: str
    flags: tuple[Flag, ...]
    vip: bool
    emergency: bool
    visit_kind_id: int
    visit_kind: str
    doctor_id: int | None
    doctor_name: str
    station_id: int | None
    station_name: str
    station_is_doctor: bool
    room_name: str
    state: QueueState
    entered_at: datetime
    checked_in_at: datetime
    appointment_at: datetime | None
    called_at: datetime | None
    treatment_started_at: datetime | None
    manual_rank: int
    alert_acknowledged_at: datetime | None
    min_wait_minutes: int
    group: Group
    ticket: int  # the visit's number of the day, for the waiting-room screen
    position: int = 0  # 1, 2, ... among the waiting of the same queue; 0 when not waiting
    expected_wait_minutes: int | None = None

    @property
    def queue_key(self) -> tuple[int | None, int | None]:
        """Doctors' stations queue per doctor; other stations (验光, dilation) per station."""
        return (self.station_id, self.doctor_id if self.station_is_doctor else None)


@dataclass(frozen=True)
class Thresholds:
    first_minutes: int
    second_minutes: int


@dataclass(frozen=True)
class QueueSnapshot:
    """The active queue as one PC last read it, with the database time it was read at."""

    read_at: datetime
    stamp: int
    rows: tuple[QueueRow, ...]
    thresholds: Thresholds
    walk_in_wait_minutes: dict[int, int] = field(default_factory=dict)  # per doctor on duty


def waited(row: QueueRow, now: datetime) -> timedelta:
    """Time at the current station; the clock restarts at each station."""
    return max(now - row.entered_at, timedelta(0))


def in_clinic(row: QueueRow, now: datetime) -> timedelta:
    """The visit's whole time in the clinic (eye hospitals colour it past 2, 3 and 4 hours)."""
    return max(now - row.checked_in_at, timedelta(0))


def alert_level(row: QueueRow, now: datetime, thresholds: Thresholds) -> AlertLevel:
    """Alerts count the wait beyond a station's planned wait (pupils dilating take 20 min)."""
    if row.state != QueueState.WAITING:
        return AlertLevel.NONE
    minutes = waited(row, now).total_seconds() / 60 - row.min_wait_minutes
    if minutes >= thresholds.second_minutes:
        return AlertLevel.SECOND
    if minutes >= thresholds.first_minutes:
        return AlertLevel.FIRST
    return AlertLevel.NONE


def past_appointment(row: QueueRow, now: datetime) -> bool:
    return (row.state == QueueState.WAITING and row.appointment_at is not None
            and now > row.appointment_at)


def needs_acknowledgement(row: QueueRow, now: datetime, thresholds: Thresholds) -> bool:
    """An alert that stays on screen until someone acknowledges it. An acknowledgement
    covers the alerts that had begun by then, not a later one: acknowledging a missed
    appointment time does not silence the second wait alert that comes after it."""
    begun: list[datetime] = []
    if alert_level(row, now, thresholds) == AlertLevel.SECOND:
        begun.append(row.entered_at + timedelta(
            minutes=row.min_wait_minutes + thresholds.second_minutes))
    if past_appointment(row, now) and row.appointment_at is not None:
        begun.append(row.appointment_at)
    acknowledged = row.alert_acknowledged_at
    return any(acknowledged is None or start > acknowledged for start in begun)


def _group(emergency: bool, vip: bool, appointment_at: datetime | None,
           now: datetime) -> Group:
    if emergency:
        return Group.EMERGENCY
    if vip:
        return Group.VIP
    if appointment_at is not None and appointment_at <= now:
        return Group.APPOINTMENT_DUE
    return Group.ARRIVAL


def _sort_key(row: QueueRow) -> tuple[object, ...]:
    started = row.state != QueueState.WAITING
    by_time = row.appointment_at if row.group == Group.APPOINTMENT_DUE and row.appointment_at \
        else row.entered_at
    return (not started, row.group, row.manual_rank, by_time, row.entered_at, row.entry_id)


@functools.cache
def _active_rows_query() -> Select[Any]:
    """Built once: building this select took a tenth of a refresh. Columns, not ORM
    entities: loading 150 QueueEntry and Visit objects took half of it."""
    doctor = aliased(Staff)
    return (
        select(QueueEntry.id, QueueEntry.version, QueueEntry.doctor_id, QueueEntry.station_id,
               QueueEntry.state, QueueEntry.entered_at, QueueEntry.called_at,
               QueueEntry.treatment_started_at, QueueEntry.priority_adjust,
               QueueEntry.alert_acknowledged_at, Visit.id, Visit.patient_id, Visit.emergency,
               Visit.visit_kind_id, Visit.checked_in_at, Visit.business_date,
               Patient.name, Patient.record_number, Patient.vip,
               VisitKind.name, doctor.full_name, Station.name, Station.is_doctor,
               Station.min_wait_minutes, Room.name, Appointment.starts_at)
        .join(Visit, Visit.id == QueueEntry.visit_id)
        .join(Patient, Patient.id == Visit.patient_id)
        .join(VisitKind, VisitKind.id == Visit.visit_kind_id)
        .outerjoin(doctor, doctor.id == QueueEntry.doctor_id)
        .outerjoin(Station, Station.id == QueueEntry.station_id)
        .outerjoin(Room, Room.id == QueueEntry.room_id)
        .outerjoin(Appointment, Appointment.id == Visit.appointment_id)
        .where(QueueEntry.state.in_(ACTIVE_STATES)))


def _read_rows(session: Session, now: datetime) -> list[QueueRow]:
    records = session.execute(_active_rows_query()).all()
    flags = flags_of(session, [record[11] for record in records])
    days = {record[15] for record in records}
    tickets: dict[int, int] = {}
    for day in days:
        day_ids = session.execute(select(Visit.id).where(Visit.business_date == day)
                                  .order_by(Visit.checked_in_at, Visit.id)).scalars()
        tickets.update((visit_id, n) for n, visit_id in enumerate(day_ids, start=1))
    rows = []
    for (entry_id, version, doctor_id, station_id, state, entered_at, called_at,
         treatment_started_at, manual_rank, acknowledged_at, visit_id, patient_id, emergency,
         kind_id, checked_in_at, _day, name, record_number, vip, kind, doctor_name, station,
         is_doctor, min_wait, room, appointment_at) in records:
        rows.append(QueueRow(
            entry_id=entry_id, version=version, visit_id=visit_id,
            patient_id=patient_id, patient_name=name, record_number=record_number,
            flags=tuple(flags.get(patient_id, ())), vip=vip, emergency=emergency,
            visit_kind_id=kind_id, visit_kind=kind, doctor_id=doctor_id,
            doctor_name=doctor_name or "", station_id=station_id,
            station_name=station or "", station_is_doctor=bool(is_doctor) if station else True,
            room_name=room or "", state=state, entered_at=entered_at,
            checked_in_at=checked_in_at, appointment_at=appointment_at,
            called_at=called_at, treatment_started_at=treatment_started_at,
            manual_rank=manual_rank,
            alert_acknowledged_at=acknowledged_at,
            min_wait_minutes=min_wait or 0,
            group=_group(emergency, vip, appointment_at, now),
            ticket=tickets.get(visit_id, 0)))
    return rows


def treatment_minutes(session: Session, now: datetime) -> dict[tuple[int | None, int], float]:
    """Average minutes at each (station, visit kind) over the last 30 days."""
    rows = session.execute(
        select(QueueEntry.station_id, Visit.visit_kind_id, QueueEntry.treatment_started_at,
               QueueEntry.done_at)
        .join(Visit, Visit.id == QueueEntry.visit_id)
        .where(QueueEntry.state == QueueState.DONE,
               QueueEntry.done_at >= now - timedelta(days=HISTORY_DAYS),
               QueueEntry.treatment_started_at.is_not(None))).all()
    totals: dict[tuple[int | None, int], list[float]] = defaultdict(list)
    for station_id, kind_id, started, done in rows:
        totals[(station_id, kind_id)].append((done - started).total_seconds() / 60)
    return {key: sum(values) / len(values) for key, values in totals.items()}


def _default_minutes(session: Session) -> dict[int, int]:
    return dict(session.execute(select(VisitKind.id, VisitKind.average_minutes)).all())


def _ordered(rows: list[QueueRow], now: datetime, averages: dict[tuple[int | None, int], float],
             defaults: dict[int, int]) -> tuple[list[QueueRow], dict[tuple[int | None, int | None],
                                                                     float]]:
    """Rows in queue order with positions and expected waits; each queue's backlog."""
    def minutes(row: QueueRow) -> float:
        default = defaults.get(row.visit_kind_id, 20) if row.station_is_doctor \
            else max(row.min_wait_minutes, DEFAULT_STATION_MINUTES)
        return averages.get((row.station_id, row.visit_kind_id), default)

    queues: dict[tuple[int | None, int | None], list[QueueRow]] = defaultdict(list)
    for row in sorted(rows, key=_sort_key):
        queues[row.queue_key].append(row)
    ordered: list[QueueRow] = []
    backlog: dict[tuple[int | None, int | None], float] = {}
    for key, members in queues.items():
        ahead = 0.0
        position = 0
        for row in members:
            if row.state == QueueState.WAITING:
                position += 1
                ordered.append(_with(row, position=position, expected=round(ahead)))
                ahead += minutes(row)
            else:
                started = row.treatment_started_at or row.called_at or now
                elapsed = (now - started).total_seconds() / 60
                ahead += max(minutes(row) - elapsed, 0.0)
                ordered.append(row)
        backlog[key] = ahead
    return ordered, backlog


def _with(row: QueueRow, position: int, expected: int) -> QueueRow:
    return replace(row, position=position, expected_wait_minutes=expected)


def read_queue(session: Session, now: datetime,
               averages: dict[tuple[int | None, int], float] | None = None) -> QueueSnapshot:
    """The whole active queue in order, for every screen and the waiting-room display."""
    settings = load_settings(session)
    if averages is None:
        averages = treatment_minutes(session, now)
    rows, backlog = _ordered(_read_rows(session, now), now, averages, _default_minutes(session))
    doctor_station = session.execute(select(Station.id).where(
        Station.is_doctor.is_(True), Station.active.is_(True))
        .order_by(Station.sort_order, Station.id).limit(1)).scalar_one_or_none()
    local = now.astimezone(zone(settings.timezone))
    walk_in = {doctor_id: round(backlog.get((doctor_station, doctor_id), 0.0))
               for doctor_id in on_duty_ids(session, local.date(), local.time())}
    return QueueSnapshot(read_at=now, stamp=audit.head(session).last_entry_id, rows=tuple(rows),
                         thresholds=Thresholds(settings.wait_alert_first_minutes,
                                               settings.wait_alert_second_minutes),
                         walk_in_wait_minutes=walk_in)


#: How long the 30-day treatment averages are reused between refreshes (they barely move, and
#: reading them costs more than the rest of a refresh).
AVERAGES_MAX_AGE = timedelta(minutes=1)
_averages: weakref.WeakKeyDictionary[Database, tuple[datetime, dict[tuple[int | None, int],
                                                                   float]]] = \
    weakref.WeakKeyDictionary()


def recent_treatment_minutes(desk: Desk, session: Session,
                             now: datetime) -> dict[tuple[int | None, int], float]:
    """`treatment_minutes`, computed at most once a minute per clinic database."""
    cached = _averages.get(desk.db)
    if cached is not None and abs(now - cached[0]) < AVERAGES_MAX_AGE:
        return cached[1]
    averages = treatment_minutes(session, now)
    _averages[desk.db] = (now, averages)
    return averages


def queue_snapshot(desk: Desk) -> QueueSnapshot:
    with desk.db.read() as session:
        now = desk.clock.now()
        return read_queue(session, now, averages=recent_treatment_minutes(desk, session, now))


def change_stamp(desk: Desk) -> int:
    """Grows with every recorded change: other PCs reload their lists when it moves."""
    with desk.db.read() as session:
        return audit.head(session).last_entry_id


# --- actions -------------------------------------------------------------------------------

def _entry(session: Session, entry_id: int, version: int,
           allowed: tuple[QueueState, ...]) -> QueueEntry:
    entry = session.execute(select(QueueEntry).where(QueueEntry.id == entry_id)
                            .with_for_update()).scalar_one_or_none()
    if entry is None:
        raise NotFound(_("This patient is no longer in the queue."))
    if entry.version != version or entry.state not in allowed:
        raise Conflict(_("Another desk has just changed this patient. The list is refreshed: "
                         "check it and try again."))
    return entry


def _reason(reason: str) -> str:
    text = reason.strip()
    errors = FieldErrors()
    if not text:
        errors.add("reason", _("Give the reason."))
    elif len(text) > MAX_REASON:
        errors.add("reason", _("At most {count} characters.").format(count=MAX_REASON))
    errors.raise_if_any()
    return text


def _record(session: Session, desk: Desk, actor: Actor, entry: QueueEntry, action: str,
            reason: str = "", **details: object) -> None:
    entry.version += 1
    audit.record(session, desk.clock.now(), actor.staff_id, action, "queue_entry", entry.id,
                 {"visit_id": entry.visit_id, "state": entry.state, **details}, reason=reason)


def call_patient(desk: Desk, actor: Actor, entry_id: int, version: int,
                 room_id: int | None = None) -> None:
    """Call the patient in (the waiting-room display shows the name and the room)."""
    require(actor, Permission.RUN_QUEUE)
    with desk.db.write() as session:
        entry = _entry(session, entry_id, version, (QueueState.WAITING, QueueState.CALLED))
        entry.state = QueueState.CALLED
        entry.called_at = desk.clock.now()
        entry.called_by_id = actor.staff_id
        if room_id is not None:
            entry.room_id = room_id
        _record(session, desk, actor, entry, "patient_called", room_id=entry.room_id)


def start_treatment(desk: Desk, actor: Actor, entry_id: int, version: int) -> None:
    require(actor, Permission.RUN_QUEUE)
    with desk.db.write() as session:
        entry = _entry(session, entry_id, version, (QueueState.WAITING, QueueState.CALLED))
        entry.state = QueueState.IN_TREATMENT
        entry.treatment_started_at = desk.clock.now()
        _record(session, desk, actor, entry, "treatment_started")


def finish(desk: Desk, actor: Actor, entry_id: int, version: int,
           next_station_id: int | None = None) -> None:
    """Done here: on to the next station (its own queue and clock), or to the cash desk."""
    require(actor, Permission.RUN_QUEUE)
    now = desk.clock.now()
    with desk.db.write() as session:
        entry = _entry(session, entry_id, version,
                       (QueueState.WAITING, QueueState.CALLED, QueueState.IN_TREATMENT))
        entry.state = QueueState.DONE
        # Finished straight from waiting: no treatment time to count in the averages.
        entry.treatment_started_at = entry.treatment_started_at or entry.called_at
        entry.done_at = now
        visit = session.get(Visit, entry.visit_id)
        if visit is None:
            raise NotFound(_("This visit no longer exists."))
        if next_station_id is not None:
            station = session.get(Station, next_station_id)
            if station is None or not station.active:
                raise NotFound(_("This station no longer exists."))
            session.add(QueueEntry(visit_id=visit.id, station_id=station.id,
                                   doctor_id=visit.doctor_id, entered_at=now))
        else:
            visit.state = VisitState.TO_CASHIER
        _record(session, desk, actor, entry, "treatment_done", next_station_id=next_station_id)


def _end_visit(desk: Desk, actor: Actor, entry_id: int, version: int, reason: str,
               entry_state: QueueState, visit_state: VisitState, action: str) -> None:
    require(actor, Permission.RUN_QUEUE)
    text = _reason(reason)
    now = desk.clock.now()
    with desk.db.write() as session:
        entry = _entry(session, entry_id, version, (QueueState.WAITING, QueueState.CALLED))
        entry.state = entry_state
        entry.left_at = now
        entry.reason = text
        visit = session.get(Visit, entry.visit_id)
        if visit is not None:
            visit.state, visit.ended_at, visit.end_reason = visit_state, now, text
        _record(session, desk, actor, entry, action, reason=text)


def mark_left(desk: Desk, actor: Actor, entry_id: int, version: int, reason: str) -> None:
    """Left without being seen."""
    _end_visit(desk, actor, entry_id, version, reason, QueueState.LEFT, VisitState.LEFT,
               "patient_left")


def convert_to_appointment(desk: Desk, actor: Actor, entry_id: int, version: int,
                           reason: str) -> None:
    """Would not wait: the visit ends here and the desk books an appointment instead."""
    _end_visit(desk, actor, entry_id, version, reason, QueueState.CONVERTED,
               VisitState.CONVERTED, "visit_converted_to_appointment")


def transfer(desk: Desk, actor: Actor, entry_id: int, version: int, doctor_id: int,
             reason: str) -> None:
    """To another doctor on duty; the patient keeps the time already waited."""
    require(actor, Permission.RUN_QUEUE)
    text = _reason(reason)
    now = desk.clock.now()
    with desk.db.write() as session:
        entry = _entry(session, entry_id, version, (QueueState.WAITING, QueueState.CALLED))
        if not is_on_duty(session, doctor_id, now):
            doctor = session.get(Staff, doctor_id)
            raise ValidationError.single("doctor", _("{name} is not on duty now.").format(
                name=doctor.full_name if doctor else "?"))
        if doctor_id == entry.doctor_id:
            raise ValidationError.single("doctor", _("The patient already waits for this doctor."))
        entry.state = QueueState.TRANSFERRED
        entry.reason = text
        # The wait goes on, and so does an acknowledgement of the alerts begun so far.
        session.add(QueueEntry(visit_id=entry.visit_id, station_id=entry.station_id,
                               doctor_id=doctor_id, entered_at=entry.entered_at,
                               alert_acknowledged_at=entry.alert_acknowledged_at,
                               alert_acknowledged_by_id=entry.alert_acknowledged_by_id))
        visit = session.get(Visit, entry.visit_id)
        if visit is not None:
            visit.doctor_id = doctor_id
        _record(session, desk, actor, entry, "patient_transferred", reason=text,
                from_doctor_id=entry.doctor_id, to_doctor_id=doctor_id)


def move(desk: Desk, actor: Actor, entry_id: int, version: int, steps: int,
         reason: str) -> None:
    """Move a waiting patient up (steps < 0) or down within their group, giving the reason."""
    require(actor, Permission.RUN_QUEUE)
    text = _reason(reason)
    now = desk.clock.now()
    with desk.db.write() as session:
        entry = _entry(session, entry_id, version, (QueueState.WAITING,))
        rows = [r for r in read_queue(session, now, averages={}).rows
                if r.state == QueueState.WAITING]
        mine = next(r for r in rows if r.entry_id == entry_id)
        group = [r for r in rows if r.queue_key == mine.queue_key and r.group == mine.group]
        index = group.index(mine)
        target = max(0, min(len(group) - 1, index + steps))
        if target == index:
            raise Conflict(_("The patient is already at the edge of their group."))
        group.insert(target, group.pop(index))
        entries = {e.id: e for e in session.execute(select(QueueEntry).where(
            QueueEntry.id.in_([r.entry_id for r in group]))).scalars()}
        for rank, row in enumerate(group, start=-len(group)):
            entries[row.entry_id].priority_adjust = rank
        _record(session, desk, actor, entry, "patient_moved", reason=text, steps=steps)


def acknowledge_alert(desk: Desk, actor: Actor, entry_id: int, version: int) -> None:
    """The receptionist has gone to the patient: the alert stops, and who and when is kept."""
    require(actor, Permission.RUN_QUEUE)
    with desk.db.write() as session:
        entry = _entry(session, entry_id, version, ACTIVE_STATES)
        entry.alert_acknowledged_at = desk.clock.now()
        entry.alert_acknowledged_by_id = actor.staff_id
        _record(session, desk, actor, entry, "wait_alert_acknowledged")


@dataclass(frozen=True)
class StationChoice:
    id: int
    name: str


def stations(desk: Desk) -> list[StationChoice]:
    with desk.db.read() as session:
        rows = session.execute(select(Station).where(Station.active.is_(True))
                               .order_by(Station.sort_order, Station.id)).scalars()
        return [StationChoice(s.id, s.name) for s in rows]
