"""Days off and absences: what entering one lists, how it shades and blocks the calendar,
its refusals (which write nothing), cancelling it, and listing them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from clinic_desk.services.calendar import cancel, day_view, free_slots
from clinic_desk.services.errors import Conflict, NotFound, PermissionDenied
from clinic_desk.services.schedules import (add_absence, appointments_hit, cancel_absence,
                                            list_absences)

from .calendar_setup import TOMORROW, Calendar
from .helpers import TODAY, at, dump, expect_field_error, last_audit_entry


def test_a_whole_day_absence_lists_the_open_appointments_it_hits(cal: Calendar) -> None:
    desk = cal.clinic.desk
    morning = cal.book(hour=9)
    afternoon = cal.book(cal.wang_fang, hour=15)
    cancelled = cal.book(cal.chen, hour=10)
    cancel(desk, cal.actor, cancelled, 1, "Ill")
    later = cal.book(cal.chen, day=TOMORROW + timedelta(days=7), hour=9)
    cal.book(cal.chen, cal.wang, hour=9)  # another doctor
    result = add_absence(desk, cal.actor, cal.li, TOMORROW, TOMORROW + timedelta(days=1),
                         " Conference ")
    assert [b.appointment_id for b in result.hit_appointments] == [morning, afternoon]
    assert [(b.patient_name, b.phone) for b in result.hit_appointments] == [
        ("张三", "139 0000 0001"), ("王芳", "139 0000 0002")]
    assert appointments_hit(desk, result.absence_id) == result.hit_appointments
    entry = last_audit_entry(desk)
    assert (entry.action, entry.entity, entry.entity_id, entry.details["appointments_hit"]) == (
        "absence_added", "staff", cal.li, [morning, afternoon])
    # The day is shaded whole and refused; the booking a week later stands.
    (li,) = [c for c in day_view(desk, TOMORROW).columns if c.key == cal.li]
    assert li.working == ()
    expect_field_error(desk, "starts_at", lambda: cal.book(cal.chen, hour=11))
    assert later in {b.appointment_id for b in day_view(desk, TOMORROW + timedelta(days=7)).blocks}


def test_a_part_day_absence_hits_only_what_overlaps_it(cal: Calendar) -> None:
    desk = cal.clinic.desk
    before = cal.book(hour=10, units=2)                # 10:00-10:30, ends as it starts
    inside = cal.book(cal.wang_fang, hour=10, minute=45)  # 10:45-11:15
    after = cal.book(cal.chen, hour=11, minute=30)      # 11:30-12:00
    result = add_absence(desk, cal.actor, cal.li, at(10, 30, TOMORROW), at(11, 30, TOMORROW),
                         "Dentist")
    assert [b.appointment_id for b in result.hit_appointments] == [inside]
    (li,) = [c for c in day_view(desk, TOMORROW).columns if c.key == cal.li]
    assert [(s.hour, s.minute, e.hour, e.minute) for s, e in li.working] == [
        (8, 30, 10, 30), (11, 30, 12, 0), (13, 30, 17, 30)]
    assert {before, after} <= {b.appointment_id for b in day_view(desk, TOMORROW).blocks}


@pytest.mark.parametrize("case, field, start, end", [
    ("ends before it starts", "end", TOMORROW + timedelta(days=2), TOMORROW),
    ("part of a day over two days", "end", at(16, 0, TOMORROW), at(10, 0, TOMORROW
                                                                     + timedelta(days=1))),
    ("part of a day ending first", "end", at(11, 0, TOMORROW), at(10, 0, TOMORROW)),
])
def test_bad_absences_are_refused_at_their_field_and_write_nothing(
        cal: Calendar, case: str, field: str, start: object, end: object) -> None:
    expect_field_error(cal.clinic.desk, field, lambda: add_absence(
        cal.clinic.desk, cal.actor, cal.li, start, end, ""))  # type: ignore[arg-type]


def test_an_unknown_member_of_staff_or_a_long_reason_is_refused(cal: Calendar) -> None:
    expect_field_error(cal.clinic.desk, "staff_id", lambda: add_absence(
        cal.clinic.desk, cal.actor, 10_000, TOMORROW, TOMORROW, ""))
    expect_field_error(cal.clinic.desk, "reason", lambda: add_absence(
        cal.clinic.desk, cal.actor, cal.li, TOMORROW, TOMORROW, "x" * 201))


def test_a_cancelled_absence_frees_the_days_again(cal: Calendar) -> None:
    desk = cal.clinic.desk
    result = add_absence(desk, cal.actor, cal.wang, TOMORROW, TOMORROW, "Sick")
    assert free_slots(desk, 2, cal.wang, at(8, 0, TOMORROW), limit=1)[0].starts_at.date() \
        == TOMORROW + timedelta(days=1)
    cancel_absence(desk, cal.actor, result.absence_id)
    assert last_audit_entry(desk).action == "absence_cancelled"
    cal.book(doctor_id=cal.wang, hour=9)
    before = dump(desk)
    with pytest.raises(Conflict):
        cancel_absence(desk, cal.actor, result.absence_id)
    with pytest.raises(NotFound):
        cancel_absence(desk, cal.actor, 10_000)
    assert dump(desk) == before


def test_the_list_shows_absences_not_over_and_not_cancelled(cal: Calendar) -> None:
    desk = cal.clinic.desk
    past = add_absence(desk, cal.actor, cal.li, TODAY - timedelta(days=7),
                       TODAY - timedelta(days=6), "Holiday")
    current = add_absence(desk, cal.actor, cal.li, TODAY, TODAY + timedelta(days=1), "Training")
    other = add_absence(desk, cal.actor, cal.wang, at(14, 0, TOMORROW), at(15, 0, TOMORROW),
                        "Dentist")
    gone = add_absence(desk, cal.actor, cal.wang, TOMORROW + timedelta(days=3),
                       TOMORROW + timedelta(days=3), "")
    cancel_absence(desk, cal.actor, gone.absence_id)
    listed = list_absences(desk)
    assert [(a.id, a.staff_name, a.reason, a.created_by) for a in listed] == [
        (current.absence_id, "李建国", "Training", "Zhao Xiaoyu"),
        (other.absence_id, "王丽华", "Dentist", "Zhao Xiaoyu")]
    assert (listed[1].start_time.hour, listed[1].end_time.hour) == (14, 15)  # type: ignore[union-attr]
    assert [a.id for a in list_absences(desk, staff_id=cal.li, from_day=date(2026, 2, 1))] == [
        past.absence_id, current.absence_id]


def test_a_cashier_cannot_enter_absences(cal: Calendar) -> None:
    with pytest.raises(PermissionDenied):
        add_absence(cal.clinic.desk, cal.clinic.cashier, cal.li, TOMORROW, TOMORROW, "")
