"""The waiting queue through the database: order, alerts, expected waits, the desk's actions,
stale actions from another PC, two desks on one file, and the clinic-wide clock.

Time only moves when a test moves the FixedClock of the `clinic` fixture (10:00 on Monday
2 March 2026 in Shanghai); nothing sleeps.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from functools import partial

import pytest
from sqlalchemy import event, select

from clinic_desk.clinic import open_clinic
from clinic_desk.db import DatabaseClock
from clinic_desk.models import (Appointment, AppointmentStatus, QueueState, Room, Sex, Station,
                                VisitKind)
from clinic_desk.services import queue
from clinic_desk.services.checkin import CheckInForm, CheckInRequest, check_in, propose_check_in
from clinic_desk.services.context import Actor, Desk
from clinic_desk.services.errors import Conflict, NotFound
from clinic_desk.services.queue import AlertLevel, Group, QueueRow, QueueSnapshot, Thresholds
from clinic_desk.services.settings import get_settings, save_settings

from tests.clinics import START, Clinic
from .helpers import (MONDAY, TUESDAY, Patients, add_doctor, at, dump, expect_denied,
                      expect_field_error, kind_id, last_audit_entry, raw_connection, rows)


@dataclass(frozen=True)
class Doctors:
    li: int    # D01 李建国, Monday 08:00-18:00
    wang: int  # D02 王丽, Monday 08:00-18:00
    chen: int  # D03 陈静, Tuesdays only: never on duty in these tests


@pytest.fixture
def doctors(clinic: Clinic) -> Doctors:
    return Doctors(
        li=add_doctor(clinic, "D01", "李建国", Sex.MALE, (MONDAY, "08:00", "18:00")),
        wang=add_doctor(clinic, "D02", "王丽", Sex.FEMALE, (MONDAY, "08:00", "18:00")),
        chen=add_doctor(clinic, "D03", "陈静", Sex.FEMALE, (TUESDAY, "08:00", "18:00")))


class Front:
    """The front desk: registers and checks in patients, reads the queue as a screen does."""

    def __init__(self, clinic: Clinic) -> None:
        self.clinic = clinic
        self.desk = clinic.desk
        self.patients = Patients(clinic)

    def register(self, name: str, vip: bool = False) -> int:
        return self.patients.add(name, vip=vip)

    def book(self, patient_id: int, doctor_id: int, starts_at: datetime,
             kind: str = "return") -> int:
        """An appointment booked for today, written straight through the ORM."""
        with self.desk.db.write() as session:
            appointment = Appointment(
                patient_id=patient_id, doctor_id=doctor_id,
                visit_kind_id=kind_id(self.clinic, kind), starts_at=starts_at, units=1,
                status=AppointmentStatus.BOOKED, created_at=START - timedelta(days=3),
                created_by_id=self.clinic.receptionist.staff_id)
            session.add(appointment)
            session.flush()
            return appointment.id

    def check_in(self, patient_id: int, doctor_id: int, kind: str | None = "first",
                 emergency: bool = False) -> int:
        """Checks in with `doctor_id` (a reason given in case the rules chose another one);
        kind None takes the proposal's (an appointment's own kind)."""
        request = CheckInRequest(patient_id=patient_id, emergency=emergency)
        proposal = propose_check_in(self.desk, request)
        return check_in(self.desk, self.clinic.receptionist, CheckInForm(
            request=request,
            visit_kind_id=proposal.visit_kind_id if kind is None else kind_id(self.clinic, kind),
            chief_complaint="牙痛", doctor_id=doctor_id, override_reason="desk's choice",
        )).visit_id

    def arrive(self, name: str, doctor_id: int, kind: str = "first", vip: bool = False,
               emergency: bool = False) -> int:
        return self.check_in(self.register(name, vip=vip), doctor_id, kind, emergency)

    def snapshot(self, desk: Desk | None = None) -> QueueSnapshot:
        return queue.queue_snapshot(desk or self.desk)

    def row(self, visit_id: int, snapshot: QueueSnapshot | None = None) -> QueueRow:
        found = [r for r in (snapshot or self.snapshot()).rows if r.visit_id == visit_id]
        assert len(found) == 1, found
        return found[0]

    def active(self, visit_id: int) -> bool:
        return any(r.visit_id == visit_id for r in self.snapshot().rows)

    def line(self, doctor_id: int, snapshot: QueueSnapshot | None = None
             ) -> list[tuple[str, int]]:
        """(name, position) in queue order at the doctor's own station."""
        return [(r.patient_name, r.position) for r in (snapshot or self.snapshot()).rows
                if r.doctor_id == doctor_id and r.station_is_doctor]


@pytest.fixture
def front(clinic: Clinic, doctors: Doctors) -> Front:
    return Front(clinic)


def room(clinic: Clinic, number: int) -> tuple[int, str]:
    with clinic.desk.db.read() as session:
        found = session.execute(select(Room).where(Room.sort_order == number)).scalar_one()
        return found.id, found.name


def doctor_station(clinic: Clinic) -> int:
    return rows(clinic.desk, "SELECT id FROM stations WHERE is_doctor = 1 "
                             "ORDER BY sort_order, id")[0][0]


def add_station(clinic: Clinic, name: str = "Dilation", min_wait: int = 20) -> int:
    """A station after the doctor's (an eye clinic's dilation: pupils take 20 minutes)."""
    with clinic.desk.db.write() as session:
        station = Station(name=name, is_doctor=False, min_wait_minutes=min_wait, sort_order=10)
        session.add(station)
        session.flush()
        return station.id


def entry_row(clinic: Clinic, entry_id: int, *columns: str) -> tuple[object, ...]:
    return rows(clinic.desk, f"SELECT {', '.join(columns)} FROM queue_entries WHERE id = ?",
                entry_id)[0]


def visit_columns(clinic: Clinic, visit_id: int, *columns: str) -> tuple[object, ...]:
    return rows(clinic.desk, f"SELECT {', '.join(columns)} FROM visits WHERE id = ?",
                visit_id)[0]


def stored(moment: datetime) -> str:
    """How a UTC instant reads in the file."""
    naive = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return naive.isoformat(sep=" ", timespec="microseconds")


def expect_recorded(clinic: Clinic, before: QueueRow, stamp: int, action: str,
                    actor: Actor) -> None:
    """The action bumped the entry's version, wrote its audit entry and moved the stamp."""
    assert entry_row(clinic, before.entry_id, "version") == (before.version + 1,)
    entry = last_audit_entry(clinic.desk)
    assert (entry.action, entry.entity, entry.entity_id, entry.actor_id) == (
        action, "queue_entry", before.entry_id, actor.staff_id)
    assert entry.details["visit_id"] == before.visit_id
    assert queue.change_stamp(clinic.desk) == stamp + 1


# --- order -----------------------------------------------------------------------------------

def test_each_doctor_has_a_queue_emergencies_vips_due_appointments_then_arrivals(
        clinic: Clinic, front: Front, doctors: Doctors) -> None:
    walk_in = front.arrive("甲一", doctors.li)                         # 10:00
    clinic.clock.advance(minutes=1)
    later = front.register("乙二")
    front.book(later, doctors.li, at(10, 5))
    booked_later = front.check_in(later, doctors.li, kind=None)        # 10:01, due 10:05
    clinic.clock.advance(minutes=1)
    vip = front.arrive("丙三", doctors.li, vip=True)                    # 10:02
    clinic.clock.advance(minutes=1)
    front.arrive("丁四", doctors.li)                                    # 10:03
    wang_first = front.arrive("王一", doctors.wang)
    clinic.clock.advance(minutes=1)
    emergency = front.arrive("戊五", doctors.li, emergency=True)        # 10:04
    front.arrive("王二", doctors.wang)

    # 乙二's appointment is not due yet: waits by arrival like everyone else
    assert front.line(doctors.li) == [("戊五", 1), ("丙三", 2), ("甲一", 3), ("乙二", 4),
                                      ("丁四", 5)]

    clinic.clock.advance(minutes=1)
    earlier = front.register("庚七")
    appointment = front.book(earlier, doctors.li, at(10, 0))
    booked_earlier = front.check_in(earlier, doctors.li, kind=None)    # 10:05, due 10:00
    assert visit_columns(clinic, booked_earlier, "appointment_id", "visit_kind_id") == (
        appointment, kind_id(clinic, "return"))
    assert rows(clinic.desk, "SELECT status FROM appointments WHERE id = ?",
                appointment) == [("arrived",)]
    clinic.clock.advance(minutes=1)
    called = front.arrive("己六", doctors.li)                           # 10:06
    clinic.clock.advance(minutes=1)
    row = front.row(called)
    queue.call_patient(clinic.desk, clinic.receptionist, row.entry_id, row.version)
    row = front.row(wang_first)
    queue.start_treatment(clinic.desk, clinic.receptionist, row.entry_id, row.version)

    clinic.clock.advance(minutes=3)  # 10:10
    snapshot = front.snapshot()
    # called first; due appointments by appointment time (庚七 came later but was due first)
    assert front.line(doctors.li, snapshot) == [
        ("己六", 0), ("戊五", 1), ("丙三", 2), ("庚七", 3), ("乙二", 4), ("甲一", 5),
        ("丁四", 6)]
    assert front.line(doctors.wang, snapshot) == [("王一", 0), ("王二", 1)]
    assert [front.row(v, snapshot).group for v in (
        emergency, vip, booked_earlier, booked_later, walk_in)] == [
        Group.EMERGENCY, Group.VIP, Group.APPOINTMENT_DUE, Group.APPOINTMENT_DUE,
        Group.ARRIVAL]
    assert front.row(booked_later, snapshot).appointment_at == at(10, 5)
    assert front.row(walk_in, snapshot).appointment_at is None
    assert front.row(vip, snapshot).vip and front.row(emergency, snapshot).emergency
    assert {r.doctor_name for r in snapshot.rows if r.doctor_id == doctors.wang} == {"王丽"}


# --- alerts ----------------------------------------------------------------------------------

@pytest.mark.parametrize("changed", [None, (5, 8)], ids=["defaults", "changed"])
def test_wait_alerts_come_at_the_thresholds_of_the_settings(
        clinic: Clinic, front: Front, doctors: Doctors, changed: tuple[int, int] | None) -> None:
    if changed is not None:
        save_settings(clinic.desk, clinic.manager, replace(
            get_settings(clinic.desk), wait_alert_first_minutes=changed[0],
            wait_alert_second_minutes=changed[1]))
    first, second = changed or (15, 20)
    visit = front.arrive("张三明", doctors.li)

    def after(seconds: int) -> tuple[AlertLevel, bool]:
        clinic.clock.set(START + timedelta(seconds=seconds))
        snapshot = front.snapshot()
        assert snapshot.thresholds == Thresholds(first, second)
        row = front.row(visit, snapshot)
        return (queue.alert_level(row, snapshot.read_at, snapshot.thresholds),
                queue.needs_acknowledgement(row, snapshot.read_at, snapshot.thresholds))

    assert after(0) == (AlertLevel.NONE, False)
    assert after(first * 60 - 1) == (AlertLevel.NONE, False)
    assert after(first * 60) == (AlertLevel.FIRST, False)
    assert after(second * 60 - 1) == (AlertLevel.FIRST, False)
    assert after(second * 60) == (AlertLevel.SECOND, True)
    assert after(3 * 3600) == (AlertLevel.SECOND, True)


def test_alerts_come_from_the_read_rows_without_reading_again(
        clinic: Clinic, front: Front, doctors: Doctors) -> None:
    """A screen ticks the minutes from the rows it has: the alert needs no refresh."""
    visit = front.arrive("张三明", doctors.li)
    snapshot = front.snapshot()
    row = front.row(visit, snapshot)
    levels = [queue.alert_level(row, START + timedelta(minutes=m), snapshot.thresholds)
              for m in (14, 15, 20)]
    assert levels == [AlertLevel.NONE, AlertLevel.FIRST, AlertLevel.SECOND]
    assert queue.waited(row, START + timedelta(minutes=20)) == timedelta(minutes=20)


def test_patients_called_or_in_treatment_raise_no_alert(clinic: Clinic, front: Front,
                                                        doctors: Doctors) -> None:
    visit = front.arrive("张三明", doctors.li)
    booked = front.register("李四")
    front.book(booked, doctors.li, at(10, 5))
    booked_visit = front.check_in(booked, doctors.li, kind=None)
    clinic.clock.advance(minutes=2)
    for v in (visit, booked_visit):
        row = front.row(v)
        queue.call_patient(clinic.desk, clinic.receptionist, row.entry_id, row.version)
    clinic.clock.advance(minutes=40)
    snapshot = front.snapshot()
    for v in (visit, booked_visit):
        row = front.row(v, snapshot)
        assert queue.alert_level(row, snapshot.read_at, snapshot.thresholds) == AlertLevel.NONE
        assert not queue.past_appointment(row, snapshot.read_at)
        assert not queue.needs_acknowledgement(row, snapshot.read_at, snapshot.thresholds)
    row = front.row(visit, snapshot)
    queue.start_treatment(clinic.desk, clinic.receptionist, row.entry_id, row.version)
    clinic.clock.advance(minutes=30)
    snapshot = front.snapshot()
    row = front.row(visit, snapshot)
    assert row.state == QueueState.IN_TREATMENT
    assert queue.alert_level(row, snapshot.read_at, snapshot.thresholds) == AlertLevel.NONE


def test_waiting_past_the_appointment_time_needs_acknowledgement(
        clinic: Clinic, front: Front, doctors: Doctors) -> None:
    patient = front.register("欧阳明华")
    front.book(patient, doctors.li, at(10, 10))
    visit = front.check_in(patient, doctors.li, kind=None)  # 10:00, early
    walk_in = front.arrive("张三明", doctors.li)

    clinic.clock.set(at(10, 10))
    snapshot = front.snapshot()
    row = front.row(visit, snapshot)
    assert not queue.past_appointment(row, snapshot.read_at)
    assert not queue.needs_acknowledgement(row, snapshot.read_at, snapshot.thresholds)

    clinic.clock.set(at(10, 11))
    snapshot = front.snapshot()
    row = front.row(visit, snapshot)
    assert queue.past_appointment(row, snapshot.read_at)
    assert queue.alert_level(row, snapshot.read_at, snapshot.thresholds) == AlertLevel.NONE
    assert queue.needs_acknowledgement(row, snapshot.read_at, snapshot.thresholds)
    other = front.row(walk_in, snapshot)  # same wait, no appointment
    assert not queue.past_appointment(other, snapshot.read_at)
    assert not queue.needs_acknowledgement(other, snapshot.read_at, snapshot.thresholds)

    queue.acknowledge_alert(clinic.desk, clinic.receptionist, row.entry_id, row.version)
    snapshot = front.snapshot()
    row = front.row(visit, snapshot)
    assert queue.past_appointment(row, snapshot.read_at)
    assert not queue.needs_acknowledgement(row, snapshot.read_at, snapshot.thresholds)


def test_acknowledging_an_earlier_alert_does_not_silence_the_second_wait_alert(
        clinic: Clinic, front: Front, doctors: Doctors) -> None:
    patient = front.register("欧阳明华")
    front.book(patient, doctors.li, at(10, 5))
    visit = front.check_in(patient, doctors.li, kind=None)  # 10:00

    def needs_acknowledgement() -> bool:
        snapshot = front.snapshot()
        row = front.row(visit, snapshot)
        return queue.needs_acknowledgement(row, snapshot.read_at, snapshot.thresholds)

    clinic.clock.set(at(10, 6))  # past the appointment time
    assert needs_acknowledgement()
    row = front.row(visit)
    queue.acknowledge_alert(clinic.desk, clinic.receptionist, row.entry_id, row.version)
    clinic.clock.set(at(10, 19))
    assert not needs_acknowledgement()
    clinic.clock.set(at(10, 20))  # 20 minutes waited: a new alert
    assert needs_acknowledgement()
    row = front.row(visit)
    queue.acknowledge_alert(clinic.desk, clinic.receptionist, row.entry_id, row.version)
    clinic.clock.set(at(11, 0))
    assert not needs_acknowledgement()


def test_the_second_alert_stays_until_acknowledged_recording_who_and_when(
        clinic: Clinic, front: Front, doctors: Doctors) -> None:
    visit = front.arrive("张三明", doctors.li)
    clinic.clock.advance(minutes=20)
    snapshot = front.snapshot()
    row = front.row(visit, snapshot)
    assert queue.needs_acknowledgement(row, snapshot.read_at, snapshot.thresholds)
    clinic.clock.advance(minutes=3)
    snapshot = front.snapshot()
    row = front.row(visit, snapshot)
    assert queue.needs_acknowledgement(row, snapshot.read_at, snapshot.thresholds)  # stays

    stamp = queue.change_stamp(clinic.desk)
    queue.acknowledge_alert(clinic.desk, clinic.receptionist, row.entry_id, row.version)
    expect_recorded(clinic, row, stamp, "wait_alert_acknowledged", clinic.receptionist)
    assert entry_row(clinic, row.entry_id, "alert_acknowledged_at",
                     "alert_acknowledged_by_id") == (stored(at(10, 23)),
                                                     clinic.receptionist.staff_id)
    assert rows(clinic.desk, "SELECT at FROM audit_entries ORDER BY id DESC LIMIT 1") == [
        (stored(at(10, 23)),)]

    clinic.clock.advance(minutes=10)
    snapshot = front.snapshot()
    acknowledged = front.row(visit, snapshot)
    assert acknowledged.alert_acknowledged_at == at(10, 23)
    assert queue.alert_level(acknowledged, snapshot.read_at,
                             snapshot.thresholds) == AlertLevel.SECOND  # still coloured
    assert not queue.needs_acknowledgement(acknowledged, snapshot.read_at, snapshot.thresholds)


def test_a_station_with_a_planned_wait_alerts_only_past_it(clinic: Clinic, front: Front,
                                                           doctors: Doctors) -> None:
    dilation = add_station(clinic, min_wait=20)
    visit = front.arrive("张三明", doctors.li)
    row = front.row(visit)
    queue.finish(clinic.desk, clinic.receptionist, row.entry_id, row.version,
                 next_station_id=dilation)

    def level(minutes: float) -> AlertLevel:
        clinic.clock.set(START + timedelta(minutes=minutes))
        snapshot = front.snapshot()
        row = front.row(visit, snapshot)
        assert (row.station_id, row.station_is_doctor, row.min_wait_minutes) == (
            dilation, False, 20)
        return queue.alert_level(row, snapshot.read_at, snapshot.thresholds)

    assert [level(m) for m in (20, 34.9, 35, 39.9, 40)] == [
        AlertLevel.NONE, AlertLevel.NONE, AlertLevel.FIRST, AlertLevel.FIRST, AlertLevel.SECOND]


# --- expected waits --------------------------------------------------------------------------

def test_without_history_the_expected_wait_comes_from_each_visit_kinds_average(
        clinic: Clinic, front: Front, doctors: Doctors) -> None:
    with clinic.desk.db.write() as session:
        session.execute(select(VisitKind).where(VisitKind.code == "consult")).scalar_one() \
            .average_minutes = 12
    for name, kind in (("甲一", "first"), ("乙二", "consult"), ("丙三", "checkup")):
        front.arrive(name, doctors.li, kind=kind)
        clinic.clock.advance(minutes=1)
    snapshot = front.snapshot()
    assert [(r.patient_name, r.expected_wait_minutes) for r in snapshot.rows] == [
        ("甲一", 0), ("乙二", 30), ("丙三", 42)]  # first 30 min, consultation 12
    assert snapshot.walk_in_wait_minutes == {doctors.li: 30 + 12 + 20, doctors.wang: 0}


def test_the_time_left_of_a_treatment_counts_for_those_behind(
        clinic: Clinic, front: Front, doctors: Doctors) -> None:
    treated = front.arrive("甲一", doctors.li, kind="first")  # 30 minutes on average
    behind = front.arrive("乙二", doctors.li, kind="consult")  # 15
    clinic.clock.advance(minutes=2)
    row = front.row(treated)
    queue.call_patient(clinic.desk, clinic.receptionist, row.entry_id, row.version)
    clinic.clock.advance(minutes=2)  # called 2 minutes ago
    snapshot = front.snapshot()
    assert front.row(behind, snapshot).expected_wait_minutes == 28
    assert snapshot.walk_in_wait_minutes[doctors.li] == 28 + 15

    clinic.clock.set(at(10, 5))
    row = front.row(treated)
    queue.start_treatment(clinic.desk, clinic.receptionist, row.entry_id, row.version)
    clinic.clock.set(at(10, 15))  # in treatment for 10 minutes: about 20 left
    snapshot = front.snapshot()
    assert front.row(behind, snapshot).expected_wait_minutes == 20
    assert snapshot.walk_in_wait_minutes[doctors.li] == 20 + 15
    clinic.clock.set(at(10, 50))  # over time: nothing left to count, never negative
    snapshot = front.snapshot()
    assert front.row(behind, snapshot).expected_wait_minutes == 0
    assert snapshot.walk_in_wait_minutes[doctors.li] == 15


def treat(clinic: Clinic, front: Front, name: str, doctor_id: int, kind: str,
          minutes: int) -> None:
    """A visit called, treated for `minutes` and finished at the clock's times."""
    visit = front.arrive(name, doctor_id, kind=kind)
    row = front.row(visit)
    queue.call_patient(clinic.desk, clinic.receptionist, row.entry_id, row.version)
    clinic.clock.advance(minutes=1)
    row = front.row(visit)
    queue.start_treatment(clinic.desk, clinic.receptionist, row.entry_id, row.version)
    clinic.clock.advance(minutes=minutes)
    row = front.row(visit)
    queue.finish(clinic.desk, clinic.receptionist, row.entry_id, row.version)


def test_the_expected_wait_uses_the_treatment_times_of_the_last_30_days(
        clinic: Clinic, front: Front, doctors: Doctors) -> None:
    clinic.clock.set(START - timedelta(weeks=6))  # too old to count
    treat(clinic, front, "老一", doctors.li, "first", 100)
    clinic.clock.set(START - timedelta(weeks=1))
    treat(clinic, front, "旧一", doctors.li, "first", 12)
    treat(clinic, front, "旧二", doctors.wang, "first", 18)
    clinic.clock.set(START)

    with clinic.desk.db.read() as session:
        assert queue.treatment_minutes(session, START) == {
            (doctor_station(clinic), kind_id(clinic, "first")): 15.0}
    for name, kind in (("甲一", "first"), ("乙二", "first"), ("丙三", "checkup")):
        front.arrive(name, doctors.li, kind=kind)
        clinic.clock.advance(minutes=1)
    snapshot = front.snapshot()
    # first visits: 15 minutes from history; check-ups: no history, the kind's default 20
    assert [(r.patient_name, r.expected_wait_minutes) for r in snapshot.rows] == [
        ("甲一", 0), ("乙二", 15), ("丙三", 30)]
    assert snapshot.walk_in_wait_minutes == {doctors.li: 50, doctors.wang: 0}


def test_a_refresh_reuses_the_treatment_averages_for_a_minute(
        clinic: Clinic, front: Front, doctors: Doctors) -> None:
    clinic.clock.set(START - timedelta(weeks=1))
    treat(clinic, front, "旧一", doctors.li, "first", 12)
    clinic.clock.set(START - timedelta(minutes=30))
    treated = front.row(front.arrive("甲一", doctors.li, kind="first"))
    queue.call_patient(clinic.desk, clinic.receptionist, treated.entry_id, treated.version)
    queue.start_treatment(clinic.desk, clinic.receptionist, treated.entry_id,
                          treated.version + 1)
    clinic.clock.set(START)
    front.arrive("乙二", doctors.li, kind="first")
    behind = front.arrive("丙三", doctors.li, kind="first")
    assert front.row(behind).expected_wait_minutes == 12  # the average of last week
    queue.finish(clinic.desk, clinic.receptionist, treated.entry_id, treated.version + 2)

    clinic.clock.advance(seconds=59)
    assert front.row(behind).expected_wait_minutes == 12  # reused within the minute
    clinic.clock.advance(seconds=2)
    assert front.row(behind).expected_wait_minutes == 21  # (12 + 30) / 2


def test_a_screen_may_pass_averages_it_computed_earlier(clinic: Clinic, front: Front,
                                                         doctors: Doctors) -> None:
    front.arrive("甲一", doctors.li, kind="first")
    front.arrive("乙二", doctors.li, kind="first")
    averages = {(doctor_station(clinic), kind_id(clinic, "first")): 7.0}
    with clinic.desk.db.read() as session:
        snapshot = queue.read_queue(session, clinic.clock.now(), averages=averages)
    assert [r.expected_wait_minutes for r in snapshot.rows] == [0, 7]


# --- actions ---------------------------------------------------------------------------------

def test_call_start_and_finish_send_the_visit_to_the_cash_desk(
        clinic: Clinic, front: Front, doctors: Doctors) -> None:
    visit = front.arrive("张三明", doctors.li)
    room_id, room_name = room(clinic, 2)
    row = front.row(visit)
    assert (row.state, row.version, row.position, row.room_name) == (
        QueueState.WAITING, 1, 1, "")

    clinic.clock.advance(minutes=3)
    stamp = queue.change_stamp(clinic.desk)
    queue.call_patient(clinic.desk, clinic.receptionist, row.entry_id, row.version, room_id)
    expect_recorded(clinic, row, stamp, "patient_called", clinic.receptionist)
    assert last_audit_entry(clinic.desk).details["room_id"] == room_id
    row = front.row(visit)
    assert (row.state, row.room_name, row.called_at, row.position) == (
        QueueState.CALLED, room_name, at(10, 3), 0)
    assert entry_row(clinic, row.entry_id, "called_by_id") == (clinic.receptionist.staff_id,)

    clinic.clock.advance(minutes=2)
    stamp = queue.change_stamp(clinic.desk)
    queue.start_treatment(clinic.desk, clinic.receptionist, row.entry_id, row.version)
    expect_recorded(clinic, row, stamp, "treatment_started", clinic.receptionist)
    row = front.row(visit)
    assert (row.state, row.treatment_started_at, row.room_name) == (
        QueueState.IN_TREATMENT, at(10, 5), room_name)

    clinic.clock.advance(minutes=25)
    stamp = queue.change_stamp(clinic.desk)
    queue.finish(clinic.desk, clinic.receptionist, row.entry_id, row.version)
    expect_recorded(clinic, row, stamp, "treatment_done", clinic.receptionist)
    assert not front.active(visit)
    assert entry_row(clinic, row.entry_id, "state", "treatment_started_at", "done_at") == (
        "done", stored(at(10, 5)), stored(at(10, 30)))
    assert visit_columns(clinic, visit, "state") == ("to_cashier",)


def test_on_to_the_next_station_the_wait_restarts_and_the_visit_time_keeps_counting(
        clinic: Clinic, front: Front, doctors: Doctors) -> None:
    dilation = add_station(clinic)
    visit = front.arrive("张三明", doctors.li)
    clinic.clock.advance(minutes=30)
    row = front.row(visit)
    stamp = queue.change_stamp(clinic.desk)
    queue.finish(clinic.desk, clinic.receptionist, row.entry_id, row.version,
                 next_station_id=dilation)
    expect_recorded(clinic, row, stamp, "treatment_done", clinic.receptionist)
    assert last_audit_entry(clinic.desk).details["next_station_id"] == dilation
    assert visit_columns(clinic, visit, "state") == ("open",)

    clinic.clock.advance(minutes=10)
    snapshot = front.snapshot()
    moved = front.row(visit, snapshot)
    assert moved.entry_id != row.entry_id
    assert (moved.state, moved.station_id, moved.station_name, moved.doctor_id,
            moved.position) == (QueueState.WAITING, dilation, "Dilation", doctors.li, 1)
    assert (moved.entered_at, moved.checked_in_at) == (at(10, 30), START)
    assert queue.waited(moved, snapshot.read_at) == timedelta(minutes=10)
    assert queue.in_clinic(moved, snapshot.read_at) == timedelta(minutes=40)
    assert entry_row(clinic, row.entry_id, "state") == ("done",)


def test_finishing_towards_an_unknown_station_writes_nothing(
        clinic: Clinic, front: Front, doctors: Doctors) -> None:
    row = front.row(front.arrive("张三明", doctors.li))
    before = dump(clinic.desk)
    with pytest.raises(NotFound):
        queue.finish(clinic.desk, clinic.receptionist, row.entry_id, row.version,
                     next_station_id=9999)
    assert dump(clinic.desk) == before


@pytest.mark.parametrize(("end", "state", "action"), [
    (queue.mark_left, "left", "patient_left"),
    (queue.convert_to_appointment, "converted", "visit_converted_to_appointment"),
], ids=["left", "converted"])
def test_a_visit_ends_without_treatment_only_with_a_reason(
        clinic: Clinic, front: Front, doctors: Doctors, end: Callable[..., None], state: str,
        action: str) -> None:
    visit = front.arrive("张三明", doctors.li)
    clinic.clock.advance(minutes=25)
    row = front.row(visit)
    for reason in ("", "   ", "x" * (queue.MAX_REASON + 1)):
        expect_field_error(clinic.desk, "reason", partial(
            end, clinic.desk, clinic.receptionist, row.entry_id, row.version, reason))
    stamp = queue.change_stamp(clinic.desk)
    end(clinic.desk, clinic.receptionist, row.entry_id, row.version, "  等不及了 ")
    expect_recorded(clinic, row, stamp, action, clinic.receptionist)
    assert rows(clinic.desk, "SELECT reason FROM audit_entries ORDER BY id DESC LIMIT 1") == [
        ("等不及了",)]
    assert entry_row(clinic, row.entry_id, "state", "left_at", "reason") == (
        state, stored(at(10, 25)), "等不及了")
    assert visit_columns(clinic, visit, "state", "ended_at", "end_reason") == (
        state, stored(at(10, 25)), "等不及了")
    assert not front.active(visit)


def test_transfer_goes_only_to_another_doctor_on_duty_and_keeps_the_time_waited(
        clinic: Clinic, front: Front, doctors: Doctors) -> None:
    visit = front.arrive("张三明", doctors.li)
    clinic.clock.advance(minutes=5)
    front.arrive("王一", doctors.wang)  # 10:05
    clinic.clock.advance(minutes=11)
    row = front.row(visit)

    def move_to(doctor_id: int, reason: str = "李医生手术中") -> None:
        queue.transfer(clinic.desk, clinic.receptionist, row.entry_id, row.version, doctor_id,
                       reason)

    error = expect_field_error(clinic.desk, "doctor", lambda: move_to(doctors.chen))
    assert "陈静" in error.errors["doctor"]
    expect_field_error(clinic.desk, "doctor", lambda: move_to(doctors.li))
    expect_field_error(clinic.desk, "reason", lambda: move_to(doctors.wang, " "))

    stamp = queue.change_stamp(clinic.desk)
    move_to(doctors.wang)
    expect_recorded(clinic, row, stamp, "patient_transferred", clinic.receptionist)
    entry = last_audit_entry(clinic.desk)
    assert (entry.details["from_doctor_id"], entry.details["to_doctor_id"]) == (
        doctors.li, doctors.wang)
    assert entry_row(clinic, row.entry_id, "state", "reason") == ("transferred", "李医生手术中")
    assert visit_columns(clinic, visit, "doctor_id") == (doctors.wang,)

    snapshot = front.snapshot()
    moved = front.row(visit, snapshot)
    assert (moved.doctor_id, moved.doctor_name, moved.state) == (
        doctors.wang, "王丽", QueueState.WAITING)
    assert moved.entered_at == START  # waited since 10:00, not since the transfer
    assert queue.waited(moved, snapshot.read_at) == timedelta(minutes=16)
    assert queue.alert_level(moved, snapshot.read_at, snapshot.thresholds) == AlertLevel.FIRST
    assert front.line(doctors.wang, snapshot) == [("张三明", 1), ("王一", 2)]
    assert front.line(doctors.li, snapshot) == []


def test_a_transfer_keeps_the_acknowledgement_of_alerts_already_begun(
        clinic: Clinic, front: Front, doctors: Doctors) -> None:
    visit = front.arrive("张三明", doctors.li)
    clinic.clock.advance(minutes=21)
    row = front.row(visit)
    queue.acknowledge_alert(clinic.desk, clinic.receptionist, row.entry_id, row.version)
    row = front.row(visit)
    queue.transfer(clinic.desk, clinic.receptionist, row.entry_id, row.version, doctors.wang,
                   "李医生手术中")

    snapshot = front.snapshot()
    moved = front.row(visit, snapshot)
    assert moved.doctor_id == doctors.wang
    assert moved.alert_acknowledged_at == at(10, 21)
    assert not queue.needs_acknowledgement(moved, snapshot.read_at, snapshot.thresholds)
    assert entry_row(clinic, moved.entry_id, "alert_acknowledged_by_id") == (
        clinic.receptionist.staff_id,)


def test_a_visit_finished_straight_from_waiting_counts_no_treatment_time(
        clinic: Clinic, front: Front, doctors: Doctors) -> None:
    clinic.clock.set(START - timedelta(weeks=1))
    treat(clinic, front, "旧一", doctors.li, "first", 12)
    skipped = front.arrive("旧二", doctors.li)
    row = front.row(skipped)
    queue.finish(clinic.desk, clinic.receptionist, row.entry_id, row.version)
    clinic.clock.set(START)

    assert entry_row(clinic, row.entry_id, "state", "treatment_started_at") == ("done", None)
    with clinic.desk.db.read() as session:
        assert queue.treatment_minutes(session, START) == {
            (doctor_station(clinic), kind_id(clinic, "first")): 12.0}


def test_moving_up_or_down_stays_within_the_group_and_needs_a_reason(
        clinic: Clinic, front: Front, doctors: Doctors) -> None:
    visits = {}
    for name in ("甲一", "乙二", "丙三"):
        visits[name] = front.arrive(name, doctors.li)
        clinic.clock.advance(minutes=1)
    visits["贵宾"] = front.arrive("贵宾", doctors.li, vip=True)
    assert front.line(doctors.li) == [("贵宾", 1), ("甲一", 2), ("乙二", 3), ("丙三", 4)]

    def move(name: str, steps: int, reason: str = "疼痛加重") -> None:
        row = front.row(visits[name])
        queue.move(clinic.desk, clinic.receptionist, row.entry_id, row.version, steps, reason)

    expect_field_error(clinic.desk, "reason", lambda: move("丙三", -1, ""))
    row = front.row(visits["丙三"])
    stamp = queue.change_stamp(clinic.desk)
    move("丙三", -1)
    expect_recorded(clinic, row, stamp, "patient_moved", clinic.receptionist)
    assert last_audit_entry(clinic.desk).details["steps"] == -1
    assert rows(clinic.desk, "SELECT reason FROM audit_entries ORDER BY id DESC LIMIT 1") == [
        ("疼痛加重",)]
    assert front.line(doctors.li) == [("贵宾", 1), ("甲一", 2), ("丙三", 3), ("乙二", 4)]
    move("甲一", 2)
    assert front.line(doctors.li) == [("贵宾", 1), ("丙三", 2), ("乙二", 3), ("甲一", 4)]
    move("乙二", -5)  # to the top of the arrivals, never past the VIP
    assert front.line(doctors.li) == [("贵宾", 1), ("乙二", 2), ("丙三", 3), ("甲一", 4)]

    before = dump(clinic.desk)
    for name, steps in (("乙二", -1), ("甲一", 1), ("贵宾", -1)):
        with pytest.raises(Conflict):
            move(name, steps)  # already first or last of their group: nowhere to go
    assert dump(clinic.desk) == before


# --- stale actions, two desks, permissions ---------------------------------------------------

Action = Callable[[Desk, Actor, QueueRow, Doctors], None]

ACTIONS: dict[str, Action] = {
    "call": lambda desk, actor, row, doctors: queue.call_patient(
        desk, actor, row.entry_id, row.version),
    "start": lambda desk, actor, row, doctors: queue.start_treatment(
        desk, actor, row.entry_id, row.version),
    "finish": lambda desk, actor, row, doctors: queue.finish(
        desk, actor, row.entry_id, row.version),
    "left": lambda desk, actor, row, doctors: queue.mark_left(
        desk, actor, row.entry_id, row.version, "走了"),
    "convert": lambda desk, actor, row, doctors: queue.convert_to_appointment(
        desk, actor, row.entry_id, row.version, "改约"),
    "transfer": lambda desk, actor, row, doctors: queue.transfer(
        desk, actor, row.entry_id, row.version, doctors.wang, "换医生"),
    "move": lambda desk, actor, row, doctors: queue.move(
        desk, actor, row.entry_id, row.version, 1, "让一下"),
    "acknowledge": lambda desk, actor, row, doctors: queue.acknowledge_alert(
        desk, actor, row.entry_id, row.version),
}


@pytest.fixture
def waiting_pair(clinic: Clinic, front: Front, doctors: Doctors) -> tuple[int, int]:
    """Two patients waiting for Dr Li since 10:00 and 10:01, now 10:25."""
    first = front.arrive("张三明", doctors.li)
    clinic.clock.advance(minutes=1)
    second = front.arrive("李四", doctors.li)
    clinic.clock.advance(minutes=24)
    return first, second


@pytest.mark.parametrize("moved_on", ["called", "finished"])
@pytest.mark.parametrize("action", list(ACTIONS))
def test_acting_on_a_patient_another_pc_has_moved_on_is_refused(
        clinic: Clinic, front: Front, doctors: Doctors, waiting_pair: tuple[int, int],
        action: str, moved_on: str) -> None:
    shown = front.row(waiting_pair[0])  # what this PC's list shows
    queue.call_patient(clinic.desk, clinic.manager, shown.entry_id, shown.version)  # another PC
    if moved_on == "finished":
        queue.finish(clinic.desk, clinic.manager, shown.entry_id, shown.version + 1)
    before = dump(clinic.desk)
    with pytest.raises(Conflict):
        ACTIONS[action](clinic.desk, clinic.receptionist, shown, doctors)
    assert dump(clinic.desk) == before


@pytest.mark.parametrize(("state", "refused"), [
    ("in_treatment", ["call", "start", "left", "convert", "transfer", "move"]),
    ("done", list(ACTIONS)),
])
def test_an_action_that_does_not_fit_the_patients_state_is_refused(
        clinic: Clinic, front: Front, doctors: Doctors, waiting_pair: tuple[int, int],
        state: str, refused: list[str]) -> None:
    """Even with the row's current version: treatment cannot start twice, a finished
    patient cannot be called again."""
    row = front.row(waiting_pair[0])
    queue.start_treatment(clinic.desk, clinic.receptionist, row.entry_id, row.version)
    if state == "done":
        queue.finish(clinic.desk, clinic.receptionist, row.entry_id, row.version + 1)
    current = replace(row, version=entry_row(clinic, row.entry_id, "version")[0])
    before = dump(clinic.desk)
    for action in refused:
        with pytest.raises(Conflict):
            ACTIONS[action](clinic.desk, clinic.receptionist, current, doctors)
    assert dump(clinic.desk) == before


@pytest.mark.parametrize("action", list(ACTIONS))
def test_a_cashier_cannot_act_on_the_queue(clinic: Clinic, front: Front, doctors: Doctors,
                                           waiting_pair: tuple[int, int], action: str) -> None:
    row = front.row(waiting_pair[0])
    expect_denied(clinic.desk, lambda: ACTIONS[action](clinic.desk, clinic.cashier, row,
                                                       doctors))
    ACTIONS[action](clinic.desk, clinic.receptionist, row, doctors)  # the desk may
    assert entry_row(clinic, row.entry_id, "version") == (row.version + 1,)


@pytest.fixture
def other_desk(clinic: Clinic) -> Iterator[Desk]:
    """A second workstation on the same clinic file."""
    desk = open_clinic(clinic.path, clock=clinic.clock)
    yield desk
    desk.db.dispose()


def test_a_change_on_one_desk_shows_on_the_other(clinic: Clinic, front: Front,
                                                 doctors: Doctors, other_desk: Desk) -> None:
    visit = front.arrive("张三明", doctors.li)
    clinic.clock.advance(minutes=5)
    stamp_there = queue.change_stamp(other_desk)
    assert stamp_there == queue.change_stamp(clinic.desk)
    there = front.row(visit, front.snapshot(other_desk))
    assert there == front.row(visit)

    queue.call_patient(clinic.desk, clinic.receptionist, there.entry_id, there.version)
    assert queue.change_stamp(other_desk) > stamp_there
    there = front.row(visit, front.snapshot(other_desk))
    assert (there.state, there.version) == (QueueState.CALLED, 2)

    stamp_here = queue.change_stamp(clinic.desk)
    queue.start_treatment(other_desk, clinic.receptionist, there.entry_id, there.version)
    assert queue.change_stamp(clinic.desk) > stamp_here
    assert front.row(visit).state == QueueState.IN_TREATMENT


def test_two_desks_calling_the_same_patient_call_once(clinic: Clinic, front: Front,
                                                      doctors: Doctors,
                                                      other_desk: Desk) -> None:
    visit = front.arrive("张三明", doctors.li)
    here = front.row(visit)
    there = front.row(visit, front.snapshot(other_desk))
    assert here.version == there.version
    queue.call_patient(clinic.desk, clinic.receptionist, here.entry_id, here.version)
    before = dump(clinic.desk)
    with pytest.raises(Conflict):
        queue.call_patient(other_desk, clinic.manager, there.entry_id, there.version)
    assert dump(clinic.desk) == before
    assert rows(clinic.desk, "SELECT count(*) FROM audit_entries "
                             "WHERE action = 'patient_called'") == [(1,)]
    assert entry_row(clinic, here.entry_id, "called_by_id") == (clinic.receptionist.staff_id,)


# --- one clock for every PC -------------------------------------------------------------------

class PcClock:
    """A PC's own clock: the real time, off by `skew`."""

    def __init__(self, skew: timedelta) -> None:
        self.skew = skew

    def __call__(self) -> datetime:
        return datetime.now(timezone.utc) + self.skew


def database_now(desk: Desk) -> datetime:
    """CURRENT_TIMESTAMP read past the engine (so the `syncs` below do not count it)."""
    with raw_connection(desk) as connection:
        (value,), = connection.execute("SELECT CURRENT_TIMESTAMP").fetchall()
    return datetime.fromisoformat(value).replace(tzinfo=timezone.utc)


def close_to_database(desk: Desk, moment: datetime) -> bool:
    return abs(moment - database_now(desk)) < timedelta(seconds=2)


@pytest.fixture
def syncs(desk: Desk) -> Iterator[list[str]]:
    """Each time a clock asks the database for its time."""
    seen: list[str] = []

    def listen(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        if "current_timestamp" in statement.lower():
            seen.append(statement)
    event.listen(desk.db.engine, "before_cursor_execute", listen)
    yield seen
    event.remove(desk.db.engine, "before_cursor_execute", listen)


def test_pcs_with_different_clocks_get_the_databases_time(desk: Desk) -> None:
    fast = DatabaseClock(desk.db.engine, local=PcClock(timedelta(minutes=10)))
    slow = DatabaseClock(desk.db.engine, local=PcClock(timedelta(minutes=-7)))
    now_fast, now_slow = fast.now(), slow.now()
    assert now_fast.utcoffset() == timedelta(0)
    assert close_to_database(desk, now_fast) and close_to_database(desk, now_slow)
    assert abs(now_fast - now_slow) < timedelta(seconds=2)


def test_the_database_clock_asks_once_a_minute_and_follows_a_changed_pc_clock(
        desk: Desk, syncs: list[str]) -> None:
    pc = PcClock(timedelta(minutes=10))
    clock = DatabaseClock(desk.db.engine, local=pc)
    assert close_to_database(desk, clock.now())
    syncs.clear()
    pc.skew += timedelta(seconds=30)  # half a minute on: no round trip yet
    for _ in range(5):
        clock.now()
    assert syncs == []
    pc.skew += timedelta(seconds=DatabaseClock.RESYNC_SECONDS)  # past the minute: asks again
    assert close_to_database(desk, clock.now())
    assert len(syncs) == 1
    pc.skew -= timedelta(minutes=30)  # someone sets the PC's clock back
    assert close_to_database(desk, clock.now())
    assert len(syncs) == 2
