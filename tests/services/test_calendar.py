"""The calendar through the database: what the views show, what a booking writes, every
refusal (which writes nothing), two PCs booking one slot, no-shows by the clock, arrival
through check-in, and the free-slot finder."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import date, datetime, time, timedelta

import pytest

from clinic_desk.clinic import open_clinic
from clinic_desk.clock import zone
from clinic_desk.models import AppointmentChangeKind, AppointmentStatus
from clinic_desk.services import calendar
from clinic_desk.services.calendar import (FreeSlot, PatientOverlap, book, cancel, confirm,
                                           day_view, default_units, free_slots, mark_arrived,
                                           mark_no_shows, reschedule, week_view)
from clinic_desk.services.checkin import CheckInForm, CheckInRequest, check_in
from clinic_desk.services.context import Desk
from clinic_desk.services.errors import Conflict, PermissionDenied, ValidationError
from clinic_desk.services.patients import display_phone
from clinic_desk.services.queue import finish, queue_snapshot
from clinic_desk.services.schedules import add_absence
from clinic_desk.services.settings import get_settings, opening_hours, save_settings

from tests.clinics import Clinic
from .calendar_setup import SATURDAY, TOMORROW, Calendar
from .helpers import (TODAY, at, audit_actions, dump, expect_denied, expect_field_error,
                      last_audit_entry, rows)


def local(hour: int, minute: int = 0, day: date = TOMORROW) -> datetime:
    """The same instant as `at`, as the views give it: in the clinic's zone."""
    return at(hour, minute, day).astimezone(zone("Asia/Shanghai"))


def saturday() -> date:
    return TODAY + timedelta(days=SATURDAY - TODAY.weekday())


def set_settings(clinic: Clinic, **changes: object) -> None:
    save_settings(clinic.desk, clinic.manager, replace(get_settings(clinic.desk), **changes))


# --- views -------------------------------------------------------------------------------------

def test_the_day_view_has_a_column_per_doctor_with_the_hours_they_can_be_booked(
        cal: Calendar) -> None:
    add_absence(cal.clinic.desk, cal.actor, cal.wang, at(11, 0, TOMORROW), at(12, 30, TOMORROW),
                "Training")
    appointment = cal.book(hour=9, units=3)
    view = day_view(cal.clinic.desk, TOMORROW)
    assert (view.opens, view.closes, view.rows) == (local(8), local(20), 48)
    assert [(c.key, c.title) for c in view.columns] == [(cal.li, "李建国"), (cal.wang, "王丽华")]
    li, wang = view.columns
    assert li.working == ((local(8, 30), local(12)), (local(13, 30), local(17, 30)))
    assert wang.working == ((local(9), local(11)), (local(12, 30), local(17)))
    (block,) = view.blocks
    assert (block.appointment_id, block.version, block.column_key, block.starts_at,
            block.ends_at, block.units, block.patient_id, block.patient_name, block.phone,
            block.visit_kind, block.status) == (
        appointment, 1, cal.li, local(9), local(9, 45), 3, cal.zhang, "张三", "139 0000 0001",
        "检查", AppointmentStatus.BOOKED)
    assert block.record_number


def test_a_day_off_leaves_no_working_span_and_hours_are_cut_to_opening_hours(
        cal: Calendar) -> None:
    set_settings(cal.clinic, opens_at="09:00", closes_at="17:00")
    view = day_view(cal.clinic.desk, saturday())
    assert {c.key: c.working for c in view.columns} == {
        cal.li: ((local(9, day=saturday()), local(12, day=saturday())),
                 (local(13, 30, saturday()), local(17, day=saturday()))),
        cal.wang: ()}
    assert view.rows == 32


def test_by_chair_the_columns_are_the_rooms_and_a_room_is_required(cal: Calendar) -> None:
    set_settings(cal.clinic, calendar_by_chair=True)
    rooms = rows(cal.clinic.desk, "SELECT id, name FROM rooms ORDER BY sort_order")
    expect_field_error(cal.clinic.desk, "room_id", lambda: cal.book())
    cal.book(room_id=rooms[1][0])
    view = day_view(cal.clinic.desk, TOMORROW)
    assert [(c.key, c.title) for c in view.columns] == [tuple(r) for r in rooms]
    assert [c.working for c in view.columns] == [((local(8), local(20)),)] * 3
    assert [b.column_key for b in view.blocks] == [rooms[1][0]]
    assert [b.column_key for b in day_view(cal.clinic.desk, TOMORROW, by_chair=False).blocks] \
        == [cal.li]
    # The chair is taken, even for another doctor; the doctor is taken, even in another chair.
    expect_field_error(cal.clinic.desk, "starts_at", lambda: cal.book(
        cal.wang_fang, cal.wang, room_id=rooms[1][0]))
    expect_field_error(cal.clinic.desk, "starts_at", lambda: cal.book(
        cal.wang_fang, cal.li, room_id=rooms[2][0]))
    cal.book(cal.wang_fang, cal.wang, room_id=rooms[2][0])


def test_the_week_view_shows_one_doctors_monday_to_sunday(cal: Calendar) -> None:
    cal.book(hour=9)
    cal.book(cal.wang_fang, day=saturday(), hour=10)
    cal.book(cal.chen, cal.wang, hour=9)
    week = week_view(cal.clinic.desk, cal.li, TOMORROW + timedelta(days=2))
    assert [d.day for d in week.days] == [TODAY + timedelta(days=n) for n in range(7)]
    assert [[b.patient_id for b in d.blocks] for d in week.days] == [
        [], [cal.zhang], [], [], [], [cal.wang_fang], []]
    assert [len(d.columns[0].working) for d in week.days] == [2, 2, 2, 2, 2, 2, 0]
    assert all(d.columns[0].key == cal.li for d in week.days)


def test_cancelled_appointments_leave_the_view_and_free_the_slot(cal: Calendar) -> None:
    appointment = cal.book()
    cancel(cal.clinic.desk, cal.actor, appointment, 1, "Patient is travelling")
    assert day_view(cal.clinic.desk, TOMORROW).blocks == ()
    cal.book(cal.wang_fang)
    assert audit_actions(cal.clinic.desk)[-3:] == [
        "appointment_booked", "appointment_cancelled", "appointment_booked"]


# --- booking -----------------------------------------------------------------------------------

def test_a_booking_records_its_history_and_audit(cal: Calendar) -> None:
    appointment = cal.book(note="  upper left molar  ")
    entry = last_audit_entry(cal.clinic.desk)
    assert (entry.action, entry.actor_id, entry.entity, entry.entity_id) == (
        "appointment_booked", cal.actor.staff_id, "appointment", appointment)
    assert entry.details["patient_id"] == cal.zhang and entry.details["units"] == 2
    assert rows(cal.clinic.desk, "SELECT note, version, created_by_id FROM appointments") == [
        ("upper left molar", 1, cal.actor.staff_id)]
    (change,) = calendar.appointment_history(cal.clinic.desk, appointment)
    assert (change.kind, change.by, change.new_doctor, change.new_starts_at, change.new_units) == (
        AppointmentChangeKind.BOOKED, "Zhao Xiaoyu", "李建国", local(14), 2)


@pytest.mark.parametrize("case, field, changes", [
    ("zero length", "units", {"units": 0}),
    ("negative length", "units", {"units": -2}),
    ("absurd length", "units", {"units": calendar.MAX_UNITS + 1}),
    ("beyond closing", "units", {"hour": 19, "minute": 30, "units": 3}),
    ("beyond the doctor's hours", "units", {"hour": 11, "minute": 30, "units": 3}),
    ("before opening", "starts_at", {"hour": 7}),
    ("at lunch", "starts_at", {"hour": 12, "minute": 30}),
    ("after the doctor's hours", "starts_at", {"hour": 18}),
    ("off the quarter hour", "starts_at", {"hour": 9, "minute": 10}),
    ("in the past", "starts_at", {"hour": 9, "day": TODAY}),
    ("not a doctor", "doctor_id", {"doctor_id": 10_000}),
    ("no visit kind", "visit_kind_id", {"visit_kind_id": 10_000}),
    ("long note", "note", {"note": "x" * (calendar.MAX_NOTE + 1)}),
])
def test_each_refusal_names_its_field_and_writes_nothing(cal: Calendar, case: str, field: str,
                                                         changes: dict[str, object]) -> None:
    error = expect_field_error(cal.clinic.desk, field, lambda: cal.book(**changes))
    assert len(error.errors) == 1, (case, error.errors)


def test_messages_say_why(cal: Calendar) -> None:
    def message(field: str, **changes: object) -> str:
        return expect_field_error(cal.clinic.desk, field, lambda: cal.book(**changes)
                                  ).errors[field]
    assert message("units", hour=19, minute=30, units=3) == \
        "This would end at 8:15 PM, after closing time (8:00 PM)."
    assert message("units", hour=11, minute=30, units=3) == \
        "李建国 stops at 12:00 PM: from this start at most 2 units fit."
    assert message("starts_at", hour=12, minute=30) == \
        "李建国 works 8:30 AM–12:00 PM, 1:30 PM–5:30 PM on Tuesday."
    cal.book(hour=9)
    assert message("starts_at", patient_id=cal.wang_fang, hour=9, minute=15) == \
        "李建国 already has an appointment from 9:00 AM to 9:30 AM."


def test_a_day_off_and_an_absence_are_refused(cal: Calendar) -> None:
    error = expect_field_error(cal.clinic.desk, "starts_at", lambda: cal.book(
        doctor_id=cal.wang, day=saturday(), hour=10))
    assert error.errors["starts_at"] == "王丽华 does not work on Saturday."
    add_absence(cal.clinic.desk, cal.actor, cal.li, TOMORROW, TOMORROW, "Conference")
    error = expect_field_error(cal.clinic.desk, "starts_at", lambda: cal.book(hour=9))
    assert error.errors["starts_at"] == "李建国 is away Mar 3, 2026: Conference."
    add_absence(cal.clinic.desk, cal.actor, cal.wang, at(15, 0, TOMORROW), at(16, 0, TOMORROW),
                "")
    error = expect_field_error(cal.clinic.desk, "starts_at", lambda: cal.book(
        doctor_id=cal.wang, hour=14, minute=30, units=4))
    assert error.errors["starts_at"] == "王丽华 is away Mar 3, 2026 3:00 PM–4:00 PM."
    cal.book(doctor_id=cal.wang, hour=16)


def test_overlaps_with_the_same_doctor_are_refused_whatever_their_length(cal: Calendar) -> None:
    cal.book(hour=9, units=4)  # 09:00-10:00
    for hour, minute, units in ((8, 30, 3), (9, 45, 1), (9, 0, 8), (8, 45, 2)):
        expect_field_error(cal.clinic.desk, "starts_at", lambda h=hour, m=minute, u=units:
                           cal.book(cal.wang_fang, hour=h, minute=m, units=u))
    cal.book(cal.wang_fang, hour=8, minute=30, units=2)  # ends as the other starts
    cal.book(cal.chen, hour=10, units=1)                 # starts as it ends
    cal.book(cal.chen, cal.wang, hour=9, units=4)       # another doctor


def test_a_patient_booked_elsewhere_at_that_time_needs_confirmation(cal: Calendar) -> None:
    first = cal.book(hour=9)
    before = dump(cal.clinic.desk)
    with pytest.raises(PatientOverlap) as info:
        cal.book(doctor_id=cal.wang, hour=9, minute=15)
    assert dump(cal.clinic.desk) == before
    assert [b.appointment_id for b in info.value.blocks] == [first]
    assert info.value.message == ("张三 already has an appointment with 李建国 from 9:00 AM to "
                                  "9:30 AM. Book this one as well?")
    cal.book(doctor_id=cal.wang, hour=9, minute=15, allow_patient_overlap=True)
    assert len(day_view(cal.clinic.desk, TOMORROW).blocks) == 2


def test_booking_needs_the_permission(cal: Calendar) -> None:
    expect_denied(cal.clinic.desk, lambda: book(cal.clinic.desk, cal.clinic.cashier,
                                                cal.request()))


def test_a_new_patients_check_up_is_one_unit_by_default(cal: Calendar) -> None:
    ortho = rows(cal.clinic.desk, "SELECT id, default_units FROM visit_kinds WHERE code = 'ortho'")
    assert ortho[0][1] == 2
    assert default_units(cal.clinic.desk, cal.zhang, ortho[0][0]) == 1
    assert default_units(cal.clinic.desk, None, ortho[0][0]) == 1
    visit_today(cal, cal.zhang)
    assert default_units(cal.clinic.desk, cal.zhang, ortho[0][0]) == 2


# --- two PCs -----------------------------------------------------------------------------------

def second_desk(clinic: Clinic) -> Desk:
    path = clinic.desk.db.file_path
    assert path is not None
    return open_clinic(path, clock=clinic.clock)


def race(cal: Calendar, other: Desk, hour: int) -> list[int | ValidationError]:
    """Two PCs book one slot for two patients, released at the same instant."""
    start = threading.Barrier(2)
    outcomes: list[int | ValidationError] = []

    def attempt(desk: Desk, patient_id: int) -> None:
        start.wait()
        try:
            outcomes.append(book(desk, cal.actor, cal.request(patient_id, hour=hour)))
        except ValidationError as error:
            outcomes.append(error)

    threads = [threading.Thread(target=attempt, args=(cal.clinic.desk, cal.zhang)),
               threading.Thread(target=attempt, args=(other, cal.wang_fang))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_two_pcs_booking_the_same_slot_at_once_give_one_booking_and_one_refusal(
        cal: Calendar) -> None:
    other = second_desk(cal.clinic)
    try:
        for hour in (9, 10, 11):
            outcomes = race(cal, other, hour)
            booked = [v for v in outcomes if isinstance(v, int)]
            refused = [v for v in outcomes if isinstance(v, ValidationError)]
            assert len(booked) == 1 and len(refused) == 1, outcomes
            assert "李建国 already has an appointment" in refused[0].errors["starts_at"]
        assert rows(cal.clinic.desk, "SELECT count(*) FROM appointments") == [(3,)]
    finally:
        other.db.dispose()


def test_the_overlap_is_checked_after_waiting_for_the_other_pcs_write(cal: Calendar) -> None:
    """PC A is half-way through its booking (its transaction open); PC B's booking of the same
    slot waits for it and then sees it, instead of having checked before."""
    other = second_desk(cal.clinic)
    result: list[object] = []

    def book_on_b() -> None:
        try:
            result.append(book(other, cal.actor, cal.request(cal.wang_fang)))
        except ValidationError as error:
            result.append(error)

    try:
        with cal.clinic.desk.db.write() as session:
            calendar.book_in(session, cal.actor.staff_id, cal.request(), cal.clinic.clock.now())
            thread = threading.Thread(target=book_on_b)
            thread.start()
            thread.join(timeout=1.0)
            assert thread.is_alive(), "B must wait for A's write lock"
        thread.join()
        (outcome,) = result
        assert isinstance(outcome, ValidationError) and "starts_at" in outcome.errors
    finally:
        other.db.dispose()


# --- moving, cancelling, confirming ------------------------------------------------------------

def test_a_move_keeps_the_old_place_and_the_reason(cal: Calendar) -> None:
    appointment = cal.book(hour=9, units=2)
    confirm(cal.clinic.desk, cal.actor, appointment, 1)
    reschedule(cal.clinic.desk, cal.actor, appointment, 2, doctor_id=cal.wang,
               starts_at=at(9, 15, TOMORROW), units=3, reason=" Patient asked ")
    (block,) = day_view(cal.clinic.desk, TOMORROW).blocks
    assert (block.column_key, block.starts_at, block.units, block.version, block.status) == (
        cal.wang, local(9, 15), 3, 3, AppointmentStatus.BOOKED)
    history = calendar.appointment_history(cal.clinic.desk, appointment)
    assert [c.kind for c in history] == [AppointmentChangeKind.BOOKED,
                                        AppointmentChangeKind.CONFIRMED,
                                        AppointmentChangeKind.RESCHEDULED]
    moved = history[-1]
    assert (moved.old_doctor, moved.old_starts_at, moved.old_units, moved.new_doctor,
            moved.new_starts_at, moved.new_units, moved.reason) == (
        "李建国", local(9), 2, "王丽华", local(9, 15), 3, "Patient asked")
    entry = last_audit_entry(cal.clinic.desk)
    assert entry.action == "appointment_rescheduled" and entry.details["from"]["doctor_id"] \
        == cal.li
    # Lengthening it over its own old place is no overlap; a confirmed time stays confirmed.
    confirm(cal.clinic.desk, cal.actor, appointment, 3)
    reschedule(cal.clinic.desk, cal.actor, appointment, 4, doctor_id=cal.wang,
               starts_at=at(9, 15, TOMORROW), units=4, reason="Longer treatment")
    assert day_view(cal.clinic.desk, TOMORROW).blocks[0].status == AppointmentStatus.CONFIRMED


def test_a_move_without_a_reason_or_to_a_taken_slot_is_refused(cal: Calendar) -> None:
    appointment = cal.book(hour=9)
    cal.book(cal.wang_fang, hour=10)

    def move(reason: str = "Asked", **changes: object) -> None:
        values: dict[str, object] = {"doctor_id": cal.li, "starts_at": at(11, 0, TOMORROW),
                                     "units": 2, "reason": reason}
        values.update(changes)
        reschedule(cal.clinic.desk, cal.actor, appointment, 1, **values)  # type: ignore[arg-type]

    expect_field_error(cal.clinic.desk, "reason", lambda: move(reason="   "))
    expect_field_error(cal.clinic.desk, "starts_at", lambda: move(starts_at=at(10, 0, TOMORROW)))
    expect_field_error(cal.clinic.desk, "starts_at", lambda: move(starts_at=at(9, 0, TOMORROW)))
    expect_field_error(cal.clinic.desk, "units", lambda: move(units=0))
    expect_field_error(cal.clinic.desk, "starts_at", lambda: move(starts_at=at(9, 0, TODAY)))
    move()
    with pytest.raises(Conflict):
        move(starts_at=at(11, 30, TOMORROW))  # version 1 is stale now


def test_cancel_needs_a_reason_and_a_current_version(cal: Calendar) -> None:
    appointment = cal.book()
    expect_field_error(cal.clinic.desk, "reason",
                       lambda: cancel(cal.clinic.desk, cal.actor, appointment, 1, " "))
    before = dump(cal.clinic.desk)
    with pytest.raises(Conflict):
        cancel(cal.clinic.desk, cal.actor, appointment, 7, "Ill")
    assert dump(cal.clinic.desk) == before
    cancel(cal.clinic.desk, cal.actor, appointment, 1, "Ill")
    with pytest.raises(Conflict):
        confirm(cal.clinic.desk, cal.actor, appointment, 2)


# --- arrival and no-shows ----------------------------------------------------------------------

def visit_today(cal: Calendar, patient_id: int) -> int:
    request = CheckInRequest(patient_id=patient_id)
    return check_in(cal.clinic.desk, cal.actor, CheckInForm(
        request=request, visit_kind_id=cal.first, chief_complaint="", doctor_id=cal.li)).visit_id


def test_arrival_checks_the_patient_in_with_the_appointments_doctor(cal: Calendar) -> None:
    appointment = cal.book(cal.zhang, cal.wang, day=TODAY, hour=10, minute=30, note="拆线")
    cal.book(cal.wang_fang, cal.wang, day=TODAY, hour=11)
    cal.clinic.clock.advance(minutes=20)
    visit = mark_arrived(cal.clinic.desk, cal.actor, appointment, 1)
    assert rows(cal.clinic.desk, "SELECT patient_id, doctor_id, appointment_id, visit_kind_id, "
                                 "chief_complaint FROM visits") == [
        (cal.zhang, cal.wang, appointment, cal.checkup, "拆线")]
    (row,) = queue_snapshot(cal.clinic.desk).rows
    assert (row.visit_id, row.appointment_at) == (visit, at(10, 30))
    block = day_view(cal.clinic.desk, TODAY).blocks[0]
    assert (block.status, block.version) == (AppointmentStatus.ARRIVED, 2)
    with pytest.raises(Conflict):
        mark_arrived(cal.clinic.desk, cal.actor, appointment, 2)  # arrived already


def test_arrival_on_another_day_or_with_a_stale_version_is_refused(cal: Calendar) -> None:
    appointment = cal.book()
    before = dump(cal.clinic.desk)
    with pytest.raises(Conflict):
        mark_arrived(cal.clinic.desk, cal.actor, appointment, 1)  # it is tomorrow
    with pytest.raises(Conflict):
        mark_arrived(cal.clinic.desk, cal.actor, appointment, 5)
    assert dump(cal.clinic.desk) == before


def test_an_appointment_not_arrived_by_the_end_of_its_slot_becomes_a_no_show(
        cal: Calendar) -> None:
    clock = cal.clinic.clock
    missed = cal.book(day=TODAY, hour=10, minute=30, units=2)   # 10:30-11:00
    arrived = cal.book(cal.wang_fang, cal.wang, day=TODAY, hour=10, minute=30, units=1)
    cancelled = cal.book(cal.chen, cal.wang, day=TODAY, hour=10, minute=45, units=1)
    cancel(cal.clinic.desk, cal.actor, cancelled, 1, "Ill")
    clock.advance(minutes=25)
    mark_arrived(cal.clinic.desk, cal.actor, arrived, 1)
    clock.set(at(10, 59, TODAY))
    stamp = len(audit_actions(cal.clinic.desk))
    assert mark_no_shows(cal.clinic.desk) == 0
    assert len(audit_actions(cal.clinic.desk)) == stamp  # nothing to do writes nothing
    clock.set(at(11, 0, TODAY))
    assert mark_no_shows(cal.clinic.desk) == 1
    assert mark_no_shows(cal.clinic.desk) == 0
    statuses = {b.appointment_id: b.status for b in day_view(cal.clinic.desk, TODAY).blocks}
    assert statuses == {missed: AppointmentStatus.NO_SHOW, arrived: AppointmentStatus.ARRIVED}
    assert rows(cal.clinic.desk, "SELECT kind, patient_id, appointment_id, step, due_date, "
                                 "status FROM follow_ups") == [
        ("no_show", cal.zhang, missed, 0, "2026-03-02", "open")]
    entry = last_audit_entry(cal.clinic.desk)
    assert (entry.action, entry.actor_id, entry.entity_id) == ("appointment_no_show", None, missed)


def test_no_shows_marked_by_two_pcs_at_once_are_marked_once(cal: Calendar) -> None:
    cal.book(day=TODAY, hour=10, minute=30, units=1)
    cal.book(cal.wang_fang, cal.wang, day=TODAY, hour=10, minute=30, units=1)
    cal.clinic.clock.set(at(12, 0, TODAY))
    other = second_desk(cal.clinic)
    counts: list[int] = []
    start = threading.Barrier(2)

    def sweep(desk: Desk) -> None:
        start.wait()
        counts.append(mark_no_shows(desk))

    try:
        threads = [threading.Thread(target=sweep, args=(d,)) for d in (cal.clinic.desk, other)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        other.db.dispose()
    assert sorted(counts) == [0, 2]
    assert rows(cal.clinic.desk, "SELECT count(*) FROM follow_ups") == [(2,)]


def test_a_finished_treatment_does_not_make_the_appointment_a_no_show(cal: Calendar) -> None:
    appointment = cal.book(cal.zhang, cal.wang, day=TODAY, hour=10, minute=15, units=1)
    visit = mark_arrived(cal.clinic.desk, cal.actor, appointment, 1)
    (row,) = [r for r in queue_snapshot(cal.clinic.desk).rows if r.visit_id == visit]
    finish(cal.clinic.desk, cal.actor, row.entry_id, row.version)
    cal.clinic.clock.set(at(18, 0, TODAY))
    assert mark_no_shows(cal.clinic.desk) == 0


# --- free slots --------------------------------------------------------------------------------

def test_free_slots_skip_bookings_absences_lunch_and_the_past(cal: Calendar) -> None:
    desk = cal.clinic.desk
    cal.book(hour=8, minute=30, units=4)   # 08:30-09:30
    cal.book(cal.wang_fang, hour=10, units=6)  # 10:00-11:30
    add_absence(desk, cal.actor, cal.li, at(13, 30, TOMORROW), at(15, 0, TOMORROW), "")
    slots = free_slots(desk, 2, cal.li, at(7, 0, TOMORROW), limit=4)
    assert slots == [FreeSlot(cal.li, local(9, 30), "李建国"),
                     FreeSlot(cal.li, local(11, 30), "李建国"),
                     FreeSlot(cal.li, local(15), "李建国"),
                     FreeSlot(cal.li, local(15, 15), "李建国")]
    # From now (Monday 10:00) a search from last week starts now, on the quarter hour.
    cal.clinic.clock.advance(minutes=7)
    assert free_slots(desk, 1, cal.li, at(8, 0, TODAY - timedelta(days=7)), limit=1) == [
        FreeSlot(cal.li, local(10, 15, TODAY), "李建国")]


def test_free_slots_for_any_doctor_come_in_time_then_staff_number_order(cal: Calendar) -> None:
    cal.book(day=TODAY, hour=10, minute=30, units=1)
    found = free_slots(cal.clinic.desk, 1, None, at(10, 15, TODAY), limit=4)
    assert [(s.doctor_id, s.starts_at) for s in found] == [
        (cal.li, local(10, 15, TODAY)), (cal.wang, local(10, 15, TODAY)),
        (cal.wang, local(10, 30, TODAY)), (cal.li, local(10, 45, TODAY))]


def test_the_free_slot_finder_looks_past_a_long_absence(cal: Calendar) -> None:
    desk = cal.clinic.desk
    add_absence(desk, cal.actor, cal.wang, TOMORROW, TOMORROW + timedelta(days=9), "Holiday")
    (slot,) = free_slots(desk, 4, cal.wang, at(10, 0, TODAY), limit=1)
    assert slot.starts_at == local(10, 0, TODAY)
    cal.clinic.clock.set(at(17, 0, TODAY))
    (slot,) = free_slots(desk, 4, cal.wang, at(17, 0, TODAY), limit=1)
    assert slot.starts_at == local(9, 0, TOMORROW + timedelta(days=10))  # the Friday after
    with pytest.raises(ValidationError):
        free_slots(desk, 0, None, at(9, 0, TOMORROW))


def test_free_slots_in_a_chair_also_avoid_the_chairs_bookings(cal: Calendar) -> None:
    set_settings(cal.clinic, calendar_by_chair=True)
    room = rows(cal.clinic.desk, "SELECT id FROM rooms ORDER BY sort_order")[0][0]
    cal.book(cal.wang_fang, cal.wang, hour=9, units=2, room_id=room)
    found = free_slots(cal.clinic.desk, 2, cal.li, at(9, 0, TOMORROW), limit=1, room_id=room)
    assert [s.starts_at for s in found] == [local(9, 30)]


@pytest.mark.parametrize("number", ["+8613912345678", "+8618800001111", "+85291234567",
                                    "+886912345678", "+85366123456", "+862164388888"])
def test_phones_on_the_calendar_read_as_everywhere_else(number: str) -> None:
    assert calendar.phone_text(number) == display_phone(number)


def test_opening_hours_are_checked_in_the_settings(cal: Calendar) -> None:
    settings = get_settings(cal.clinic.desk)
    for changes, field in (({"opens_at": "8:10"}, "opens_at"),
                           ({"closes_at": "banana"}, "closes_at"),
                           ({"opens_at": "18:00", "closes_at": "09:00"}, "closes_at")):
        expect_field_error(cal.clinic.desk, field, lambda changes=changes: save_settings(
            cal.clinic.desk, cal.clinic.manager, replace(settings, **changes)))
    assert opening_hours(settings) == (time(8), time(20))


def test_a_cashier_cannot_move_or_cancel(cal: Calendar) -> None:
    appointment = cal.book()
    for action in (lambda: cancel(cal.clinic.desk, cal.clinic.cashier, appointment, 1, "x"),
                   lambda: confirm(cal.clinic.desk, cal.clinic.cashier, appointment, 1)):
        with pytest.raises(PermissionDenied):
            action()
