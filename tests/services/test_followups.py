"""Reminder and follow-up calls: who is on which list on which day, what each outcome does,
the 10:00-21:00 rule, and a call that books doing it in the same transaction."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from clinic_desk.models import AppointmentStatus, CallOutcome, FollowUpKind
from clinic_desk.services.calendar import (PatientOverlap, add_months, cancel, day_view,
                                           mark_arrived, mark_no_shows, no_show_call_date)
from clinic_desk.services.context import Desk
from clinic_desk.services.errors import Conflict, PermissionDenied
from clinic_desk.services.followups import (DueCall, due_calls, may_call_now, outcomes_for,
                                            record_call, reminder_list)
from clinic_desk.services.queue import finish, queue_snapshot

from .calendar_setup import TOMORROW, Calendar
from .helpers import TODAY, at, dump, expect_field_error, last_audit_entry, rows
from .test_calendar import second_desk


def calls(desk: Desk, day: date, kind: FollowUpKind) -> list[DueCall]:
    return [c for c in due_calls(desk, day) if c.kind == kind]


def miss_an_appointment(cal: Calendar) -> int:
    """张三's 10:30 appointment today passes without him: a no-show at 11:00."""
    appointment = cal.book(day=TODAY, hour=10, minute=30, units=2)
    cal.clinic.clock.set(at(11, 0))
    assert mark_no_shows(cal.clinic.desk) == 1
    return appointment


# --- no-shows ----------------------------------------------------------------------------------

def test_no_show_calls_come_at_once_then_after_3_days_a_week_and_a_month(cal: Calendar) -> None:
    desk, clock = cal.clinic.desk, cal.clinic.clock
    missed = miss_an_appointment(cal)
    expected = [TODAY, date(2026, 3, 5), date(2026, 3, 9), date(2026, 4, 2)]
    assert [no_show_call_date(TODAY, step) for step in range(4)] == expected
    for step, due in enumerate(expected):
        clock.set(at(15, 0, due - timedelta(days=1)))
        assert calls(desk, due - timedelta(days=1), FollowUpKind.NO_SHOW) == []
        clock.set(at(15, 0, due))
        (call,) = calls(desk, due, FollowUpKind.NO_SHOW)
        assert (call.step, call.due_date, call.patient_name, call.doctor_name, call.about) == (
            step, due, "张三", "李建国", at(10, 30).astimezone(call.about.tzinfo))
        record_call(desk, cal.actor, call.follow_up_id, CallOutcome.NO_ANSWER, "")
    assert calls(desk, date(2026, 12, 31), FollowUpKind.NO_SHOW) == []
    assert rows(desk, "SELECT step, due_date, status FROM follow_ups WHERE appointment_id = ? "
                      "ORDER BY step", missed) == [
        (0, "2026-03-02", "done"), (1, "2026-03-05", "done"), (2, "2026-03-09", "done"),
        (3, "2026-04-02", "done")]


def test_a_month_later_is_the_same_day_or_the_months_last(cal: Calendar) -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2026, 12, 15), 1) == date(2027, 1, 15)
    assert add_months(date(2026, 1, 15), -12) == date(2025, 1, 15)


def test_a_late_call_schedules_the_next_one_no_earlier_than_tomorrow(cal: Calendar) -> None:
    desk, clock = cal.clinic.desk, cal.clinic.clock
    miss_an_appointment(cal)
    clock.set(at(12, 0, date(2026, 3, 6)))  # the first call made four days late
    (call,) = calls(desk, date(2026, 3, 6), FollowUpKind.NO_SHOW)
    record_call(desk, cal.actor, call.follow_up_id, CallOutcome.LEFT_MESSAGE, "Voicemail")
    assert calls(desk, date(2026, 3, 6), FollowUpKind.NO_SHOW) == []
    (next_call,) = calls(desk, date(2026, 3, 7), FollowUpKind.NO_SHOW)
    assert (next_call.step, next_call.due_date, next_call.last_outcome) == (
        1, date(2026, 3, 7), None)


def test_a_successful_call_books_in_the_same_step_and_ends_the_series(cal: Calendar) -> None:
    desk = cal.clinic.desk
    miss_an_appointment(cal)
    (call,) = calls(desk, TODAY, FollowUpKind.NO_SHOW)
    record_call(desk, cal.actor, call.follow_up_id, CallOutcome.BOOKED, "Apologised",
                booking=cal.request(hour=9))
    (block,) = day_view(desk, TOMORROW).blocks
    assert (block.patient_id, block.status) == (cal.zhang, AppointmentStatus.BOOKED)
    assert rows(desk, "SELECT outcome, by_id, booked_appointment_id, note FROM follow_up_calls"
                ) == [("booked", cal.actor.staff_id, block.appointment_id, "Apologised")]
    assert calls(desk, date(2026, 5, 1), FollowUpKind.NO_SHOW) == []
    entry = last_audit_entry(desk)
    assert (entry.action, entry.entity_id, entry.details["booked_appointment_id"]) == (
        "call_recorded", cal.zhang, block.appointment_id)


def test_a_refused_booking_records_nothing_of_the_call(cal: Calendar) -> None:
    desk = cal.clinic.desk
    miss_an_appointment(cal)
    cal.book(cal.wang_fang, hour=9)
    (call,) = calls(desk, TODAY, FollowUpKind.NO_SHOW)
    expect_field_error(desk, "starts_at", lambda: record_call(
        desk, cal.actor, call.follow_up_id, CallOutcome.BOOKED, "", booking=cal.request(hour=9)))
    expect_field_error(desk, "booking", lambda: record_call(
        desk, cal.actor, call.follow_up_id, CallOutcome.BOOKED, ""))
    expect_field_error(desk, "booking", lambda: record_call(
        desk, cal.actor, call.follow_up_id, CallOutcome.SPOKE, "", booking=cal.request(hour=11)))
    expect_field_error(desk, "booking", lambda: record_call(
        desk, cal.actor, call.follow_up_id, CallOutcome.BOOKED, "",
        booking=cal.request(cal.chen, hour=11)))
    expect_field_error(desk, "outcome", lambda: record_call(
        desk, cal.actor, call.follow_up_id, CallOutcome.CONFIRMED, ""))


def test_a_move_at_the_reminder_call_onto_the_patients_other_booking_needs_confirmation(
        cal: Calendar) -> None:
    desk = cal.clinic.desk
    first = cal.book(cal.zhang, cal.li, hour=9)
    cal.book(cal.zhang, cal.wang, hour=11)
    (row,) = [r for r in reminder_list(desk, TOMORROW) if r.appointment_id == first]
    before = dump(desk)
    with pytest.raises(PatientOverlap):
        record_call(desk, cal.actor, row.follow_up_id, CallOutcome.RESCHEDULED, "Later",
                    booking=cal.request(hour=11))
    assert dump(desk) == before
    record_call(desk, cal.actor, row.follow_up_id, CallOutcome.RESCHEDULED, "Later",
                booking=cal.request(hour=11, allow_patient_overlap=True))
    assert len(day_view(desk, TOMORROW).blocks) == 2


def test_booking_again_by_any_way_ends_the_no_show_calls(cal: Calendar) -> None:
    miss_an_appointment(cal)
    cal.book(hour=9)
    assert calls(cal.clinic.desk, TODAY, FollowUpKind.NO_SHOW) == []


# --- the call window ---------------------------------------------------------------------------

def test_calls_are_offered_and_recorded_between_10_and_21_only(cal: Calendar) -> None:
    desk, clock = cal.clinic.desk, cal.clinic.clock
    miss_an_appointment(cal)
    (call,) = calls(desk, TODAY, FollowUpKind.NO_SHOW)
    for hour, minute, allowed in ((9, 59, False), (10, 0, True), (20, 59, True), (21, 0, False),
                                  (23, 30, False)):
        clock.set(at(hour, minute))
        assert may_call_now(desk) is allowed, (hour, minute)
    clock.set(at(21, 0))
    error = expect_field_error(desk, "outcome", lambda: record_call(
        desk, cal.actor, call.follow_up_id, CallOutcome.SPOKE, ""))
    assert error.errors["outcome"] == "Patients are called between 10:00 AM and 9:00 PM only."
    clock.set(at(20, 59))
    record_call(desk, cal.actor, call.follow_up_id, CallOutcome.SPOKE, "")


# --- reminders ---------------------------------------------------------------------------------

def test_the_reminder_list_shows_tomorrows_appointments_in_time_order(cal: Calendar) -> None:
    desk = cal.clinic.desk
    late = cal.book(cal.zhang, cal.wang, hour=15)
    early = cal.book(cal.wang_fang, hour=9)
    cancelled = cal.book(cal.chen, hour=11)
    cal.book(cal.chen, day=TOMORROW + timedelta(days=1), hour=9)
    cancel(desk, cal.actor, cancelled, 1, "Travelling")
    listed = reminder_list(desk, TOMORROW)
    assert [(r.appointment_id, r.patient_name, r.phone, r.doctor_name, r.starts_at.hour,
             r.last_outcome, r.to_call) for r in listed] == [
        (early, "王芳", "139 0000 0002", "李建国", 9, None, True),
        (late, "张三", "139 0000 0001", "王丽华", 15, None, True)]
    assert reminder_list(desk, TOMORROW) == listed  # stored once, the same ids again


def test_reminder_outcomes_confirm_move_or_cancel_the_appointment(cal: Calendar) -> None:
    desk = cal.clinic.desk
    confirmed = cal.book(cal.zhang, hour=9)
    moved = cal.book(cal.wang_fang, hour=10)
    cancelled = cal.book(cal.chen, hour=11)
    by_id = {r.appointment_id: r for r in reminder_list(desk, TOMORROW)}
    record_call(desk, cal.actor, by_id[confirmed].follow_up_id, CallOutcome.NO_ANSWER, "")
    record_call(desk, cal.actor, by_id[confirmed].follow_up_id, CallOutcome.CONFIRMED, "")
    expect_field_error(desk, "note", lambda: record_call(
        desk, cal.actor, by_id[moved].follow_up_id, CallOutcome.RESCHEDULED, "",
        booking=cal.request(cal.wang_fang, hour=14)))
    record_call(desk, cal.actor, by_id[moved].follow_up_id, CallOutcome.RESCHEDULED,
                "Works in the morning", booking=cal.request(cal.wang_fang, hour=14))
    record_call(desk, cal.actor, by_id[cancelled].follow_up_id, CallOutcome.CANCELLED, "Ill")
    listed = {r.appointment_id: r for r in reminder_list(desk, TOMORROW)}
    assert {a: (r.status, r.last_outcome, r.attempts, r.called_by, r.to_call)
            for a, r in listed.items()} == {
        confirmed: (AppointmentStatus.CONFIRMED, CallOutcome.CONFIRMED, 2, "Zhao Xiaoyu", False),
        moved: (AppointmentStatus.BOOKED, CallOutcome.RESCHEDULED, 1, "Zhao Xiaoyu", False),
        cancelled: (AppointmentStatus.CANCELLED, CallOutcome.CANCELLED, 1, "Zhao Xiaoyu", False)}
    assert listed[moved].starts_at.hour == 14
    assert {b.appointment_id: b.status for b in day_view(desk, TOMORROW).blocks} == {
        confirmed: AppointmentStatus.CONFIRMED, moved: AppointmentStatus.BOOKED}
    with pytest.raises(Conflict):  # recorded already, at this desk or another
        record_call(desk, cal.actor, by_id[confirmed].follow_up_id, CallOutcome.CONFIRMED, "")
    assert outcomes_for(FollowUpKind.REMINDER) == (
        CallOutcome.CONFIRMED, CallOutcome.RESCHEDULED, CallOutcome.CANCELLED,
        CallOutcome.NO_ANSWER, CallOutcome.LEFT_MESSAGE, CallOutcome.UNREACHABLE)


def test_two_pcs_reading_the_lists_store_each_call_once(cal: Calendar) -> None:
    cal.book(hour=9)
    other = second_desk(cal.clinic)
    try:
        first = reminder_list(cal.clinic.desk, TOMORROW)
        assert reminder_list(other, TOMORROW) == first
    finally:
        other.db.dispose()
    assert rows(cal.clinic.desk, "SELECT count(*) FROM follow_ups") == [(1,)]


def test_calls_need_the_permission(cal: Calendar) -> None:
    cal.book(hour=9)
    (row,) = reminder_list(cal.clinic.desk, TOMORROW)
    with pytest.raises(PermissionDenied):
        record_call(cal.clinic.desk, cal.clinic.cashier, row.follow_up_id,
                    CallOutcome.CONFIRMED, "")


# --- after treatment ---------------------------------------------------------------------------

def treat(cal: Calendar, patient_id: int, day: date, hour: int = 10) -> None:
    """An appointment with 王丽华 at `hour` on `day`, arrived and treated."""
    desk = cal.clinic.desk
    cal.clinic.clock.set(at(hour, 0, day) - timedelta(minutes=10))
    appointment = cal.book(patient_id, cal.wang, day=day, hour=hour, units=1)
    visit = mark_arrived(desk, cal.actor, appointment, 1)
    (row,) = [r for r in queue_snapshot(desk).rows if r.visit_id == visit]
    finish(desk, cal.actor, row.entry_id, row.version)


def test_a_treatment_brings_a_call_the_same_evening(cal: Calendar) -> None:
    desk = cal.clinic.desk
    treat(cal, cal.chen, TODAY)
    cal.clinic.clock.set(at(18, 0))
    (call,) = due_calls(desk, TODAY)
    assert (call.kind, call.patient_name, call.doctor_name, call.due_date, call.about) == (
        FollowUpKind.SAME_EVENING, "陈明", "王丽华", TODAY, at(9, 50).astimezone(
            call.about.tzinfo))
    assert due_calls(desk, TOMORROW) == []
    record_call(desk, cal.actor, call.follow_up_id, CallOutcome.SPOKE, "Feels fine")
    assert due_calls(desk, TODAY) == []


def test_a_year_after_the_latest_treatment_comes_the_free_check_call(cal: Calendar) -> None:
    desk, clock = cal.clinic.desk, cal.clinic.clock
    year_ago = date(2025, 3, 3)  # a Monday
    treat(cal, cal.zhang, year_ago)
    treat(cal, cal.wang_fang, year_ago, hour=11)
    treat(cal, cal.wang_fang, date(2025, 9, 1))  # treated again since: counts from then
    clock.set(at(11, 0, date(2026, 3, 2)))
    assert calls(desk, date(2026, 3, 2), FollowUpKind.ONE_YEAR) == []
    clock.set(at(11, 0, date(2026, 3, 3)))
    (call,) = calls(desk, date(2026, 3, 3), FollowUpKind.ONE_YEAR)
    assert (call.patient_name, call.due_date, call.doctor_name) == (
        "张三", date(2026, 3, 3), "王丽华")
    # Not made: it stays on the list for 30 days, then drops off.
    assert [c.follow_up_id for c in calls(desk, date(2026, 4, 2), FollowUpKind.ONE_YEAR)] == [
        call.follow_up_id]
    assert calls(desk, date(2026, 4, 3), FollowUpKind.ONE_YEAR) == []
    record_call(desk, cal.actor, call.follow_up_id, CallOutcome.BOOKED, "Free check",
                booking=cal.request(cal.zhang, hour=9, day=date(2026, 3, 10)))
    assert calls(desk, date(2026, 3, 3), FollowUpKind.ONE_YEAR) == []
    assert rows(desk, "SELECT count(*) FROM follow_ups WHERE kind = 'one_year'") == [(1,)]
