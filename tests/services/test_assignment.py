"""The front desk's rules for choosing a doctor, as pure functions (no database)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given, settings, strategies as st

from clinic_desk.models import AssignmentRule, Sex
from clinic_desk.services.assignment import (Assignment, AssignmentRequest, DoctorOnDuty,
                                             PatientPast, choose_doctor, rotate,
                                             suggests_first_visit)

TODAY = date(2026, 3, 2)
LI = DoctorOnDuty(1, "D01", "李建国", Sex.MALE, 0)
WANG = DoctorOnDuty(2, "D02", "王丽", Sex.FEMALE, 0)
ZHAO = DoctorOnDuty(3, "D03", "赵强", Sex.MALE, 0)
CHEN = DoctorOnDuty(4, "D04", "陈静", Sex.FEMALE, 0)
ALL = [LI, WANG, ZHAO, CHEN]
NEW = PatientPast()


def loaded(doctor: DoctorOnDuty, load: int) -> DoctorOnDuty:
    return replace(doctor, load_today=load)


def request(**changes: object) -> AssignmentRequest:
    return replace(AssignmentRequest(today=TODAY), **changes)  # type: ignore[arg-type]


def treated(doctor: DoctorOnDuty, days_ago: int, last: DoctorOnDuty | None = None) -> PatientPast:
    when = TODAY - timedelta(days=days_ago)
    return PatientPast(last_doctor_id=(last or doctor).id, last_visit_date=when,
                       last_treatment_doctor_id=doctor.id, last_treatment_date=when)


def returning(doctor: DoctorOnDuty) -> PatientPast:
    return treated(doctor, 30)


# --- appointment and preferred doctor --------------------------------------------------------

def test_the_appointment_doctor_comes_first() -> None:
    choice = choose_doctor(ALL, returning(WANG),
                           request(appointment_doctor_id=ZHAO.id, preferred_doctor_id=LI.id))
    assert choice == Assignment(ZHAO.id, AssignmentRule.APPOINTMENT)


def test_an_appointment_doctor_off_duty_is_shown_as_unavailable() -> None:
    choice = choose_doctor([LI, WANG], NEW, request(appointment_doctor_id=ZHAO.id))
    assert choice == Assignment(LI.id, AssignmentRule.ROTATION, unavailable_doctor_id=ZHAO.id)


def test_a_preferred_doctor_on_duty_is_honoured_over_the_usual_one() -> None:
    choice = choose_doctor(ALL, returning(WANG), request(preferred_doctor_id=CHEN.id))
    assert choice == Assignment(CHEN.id, AssignmentRule.PREFERRED_DOCTOR)


def test_a_preferred_doctor_off_duty_falls_through_and_is_shown_unavailable() -> None:
    to_rotation = choose_doctor([LI, WANG], NEW, request(preferred_doctor_id=CHEN.id))
    assert to_rotation == Assignment(LI.id, AssignmentRule.ROTATION, unavailable_doctor_id=CHEN.id)
    to_usual = choose_doctor([LI, WANG], returning(WANG), request(preferred_doctor_id=CHEN.id))
    assert to_usual == Assignment(WANG.id, AssignmentRule.SAME_DOCTOR,
                                  unavailable_doctor_id=CHEN.id)


# --- earlier work and return visits ----------------------------------------------------------

@pytest.mark.parametrize("days_ago", [1, 200, 364])
def test_a_problem_with_work_done_within_a_year_goes_to_the_doctor_who_did_it(
        days_ago: int) -> None:
    past = treated(ZHAO, days_ago, last=WANG)  # seen by Wang since, for something else
    choice = choose_doctor(ALL, past, request(problem_with_earlier_work=True))
    assert choice == Assignment(ZHAO.id, AssignmentRule.RETREATMENT)


def test_after_a_year_it_is_no_longer_retreatment() -> None:
    past = treated(ZHAO, 365, last=WANG)  # a year on, it is a new problem (a first visit)
    choice = choose_doctor(ALL, past, request(problem_with_earlier_work=True))
    assert choice == Assignment(WANG.id, AssignmentRule.SAME_DOCTOR)
    never_seen_since = PatientPast(last_treatment_doctor_id=ZHAO.id,
                                   last_treatment_date=TODAY - timedelta(days=400))
    assert choose_doctor(ALL, never_seen_since, request(problem_with_earlier_work=True)) == \
        Assignment(LI.id, AssignmentRule.ROTATION)


def test_without_a_problem_with_earlier_work_the_last_doctor_is_kept() -> None:
    past = treated(ZHAO, 30, last=WANG)
    assert choose_doctor(ALL, past, request()) == Assignment(WANG.id, AssignmentRule.SAME_DOCTOR)


def test_the_original_doctor_off_duty_is_shown_unavailable() -> None:
    choice = choose_doctor([LI, WANG], treated(ZHAO, 30), request(problem_with_earlier_work=True))
    assert choice == Assignment(LI.id, AssignmentRule.ROTATION, unavailable_doctor_id=ZHAO.id)


def test_refusing_the_original_doctor_is_a_complaint_and_excludes_them() -> None:
    on_duty = [loaded(LI, 3), loaded(WANG, 2), loaded(ZHAO, 0), loaded(CHEN, 2)]
    choice = choose_doctor(on_duty, treated(ZHAO, 30),
                           request(problem_with_earlier_work=True, refuses_original_doctor=True))
    assert choice == Assignment(WANG.id, AssignmentRule.ROTATION, complaint_about_doctor_id=ZHAO.id)


def test_a_refusal_is_recorded_with_whichever_rule_then_chooses() -> None:
    by_sex = choose_doctor(ALL, treated(ZHAO, 30), request(
        problem_with_earlier_work=True, refuses_original_doctor=True, preferred_sex=Sex.MALE))
    assert by_sex == Assignment(LI.id, AssignmentRule.PREFERRED_SEX,
                                complaint_about_doctor_id=ZHAO.id)
    nobody_else = choose_doctor([ZHAO], treated(ZHAO, 30), request(
        problem_with_earlier_work=True, refuses_original_doctor=True))
    assert nobody_else == Assignment(None, AssignmentRule.ROTATION,
                                     complaint_about_doctor_id=ZHAO.id)


def test_a_return_visit_goes_to_the_same_doctor() -> None:
    on_duty = [loaded(LI, 0), loaded(WANG, 0), loaded(ZHAO, 9)]
    assert choose_doctor(on_duty, returning(ZHAO), request()) == \
        Assignment(ZHAO.id, AssignmentRule.SAME_DOCTOR)


def test_the_same_doctor_off_duty_means_rotation_with_the_doctor_shown_unavailable() -> None:
    choice = choose_doctor([LI, WANG], returning(ZHAO), request(), last_rotated_staff_number="D01")
    assert choice == Assignment(WANG.id, AssignmentRule.ROTATION, unavailable_doctor_id=ZHAO.id)


# --- preferred sex ---------------------------------------------------------------------------

@pytest.mark.parametrize(("sex", "expected"), [(Sex.MALE, ZHAO), (Sex.FEMALE, CHEN)])
def test_a_doctor_of_the_asked_sex_is_chosen_by_rotation_among_them(
        sex: Sex, expected: DoctorOnDuty) -> None:
    on_duty = [loaded(LI, 2), loaded(WANG, 2), loaded(ZHAO, 1), loaded(CHEN, 1)]
    choice = choose_doctor(on_duty, NEW, request(preferred_sex=sex))
    assert choice == Assignment(expected.id, AssignmentRule.PREFERRED_SEX)


def test_asking_for_the_other_sex_than_the_usual_doctor_is_honoured() -> None:
    choice = choose_doctor(ALL, returning(WANG), request(preferred_sex=Sex.MALE))
    assert choice == Assignment(LI.id, AssignmentRule.PREFERRED_SEX)
    same_sex = choose_doctor(ALL, returning(WANG), request(preferred_sex=Sex.FEMALE))
    assert same_sex == Assignment(WANG.id, AssignmentRule.SAME_DOCTOR)


def test_nobody_of_the_asked_sex_on_duty_means_rotation() -> None:
    choice = choose_doctor([LI, ZHAO], NEW, request(preferred_sex=Sex.FEMALE))
    assert choice == Assignment(LI.id, AssignmentRule.ROTATION)


# --- rotation --------------------------------------------------------------------------------

def test_rotation_goes_to_the_least_loaded_doctor() -> None:
    on_duty = [loaded(LI, 3), loaded(WANG, 1), loaded(ZHAO, 2), loaded(CHEN, 4)]
    assert choose_doctor(on_duty, NEW, request(), "D01") == Assignment(WANG.id,
                                                                       AssignmentRule.ROTATION)


@pytest.mark.parametrize(("last", "expected"), [
    (None, "D01"), ("D01", "D03"), ("D02", "D03"), ("D03", "D04"), ("D04", "D01"), ("D09", "D01"),
])
def test_rotation_ties_go_to_the_next_staff_number_after_the_last_wrapping(
        last: str | None, expected: str) -> None:
    on_duty = [loaded(CHEN, 1), loaded(ZHAO, 1), loaded(WANG, 2), loaded(LI, 1)]  # any order
    assert rotate(on_duty, last).staff_number == expected
    assert choose_doctor(on_duty, NEW, request(), last).doctor_id == \
        {"D01": LI, "D03": ZHAO, "D04": CHEN}[expected].id


def test_a_day_of_rotation_keeps_loads_even() -> None:
    loads = {d.id: 0 for d in ALL}
    last: str | None = None
    order = []
    for _ in range(8):
        on_duty = [loaded(d, loads[d.id]) for d in ALL]
        choice = choose_doctor(on_duty, NEW, request(), last)
        assert choice.doctor_id is not None and choice.rule is AssignmentRule.ROTATION
        loads[choice.doctor_id] += 1
        last = next(d.staff_number for d in ALL if d.id == choice.doctor_id)
        order.append(last)
    assert order == ["D01", "D02", "D03", "D04"] * 2
    assert set(loads.values()) == {2}


# --- emergencies -----------------------------------------------------------------------------

def test_an_emergency_goes_to_the_least_loaded_doctor() -> None:
    on_duty = [loaded(LI, 3), loaded(WANG, 2), loaded(ZHAO, 1), loaded(CHEN, 1)]
    # not the rotation's next (D04 after D03): the least busy, first by staff number
    assert choose_doctor(on_duty, NEW, request(emergency=True), "D03") == \
        Assignment(ZHAO.id, AssignmentRule.EMERGENCY)


def test_an_emergency_of_a_returning_patient_goes_to_their_doctor_if_on_duty() -> None:
    on_duty = [loaded(LI, 0), loaded(WANG, 5)]
    assert choose_doctor(on_duty, returning(WANG), request(emergency=True)).doctor_id == WANG.id
    off_duty = choose_doctor(on_duty, returning(ZHAO), request(emergency=True))
    assert off_duty == Assignment(LI.id, AssignmentRule.EMERGENCY, unavailable_doctor_id=ZHAO.id)


# --- nobody on duty --------------------------------------------------------------------------

def test_nobody_on_duty_means_no_doctor() -> None:
    assert choose_doctor([], NEW, request()) == Assignment(None, AssignmentRule.ROTATION)
    assert choose_doctor([], NEW, request(emergency=True)).doctor_id is None
    assert choose_doctor([], returning(ZHAO), request()) == Assignment(
        None, AssignmentRule.ROTATION, unavailable_doctor_id=ZHAO.id)


# --- first visit or return -------------------------------------------------------------------

@pytest.mark.parametrize(("days_ago", "first"), [
    (None, True), (0, False), (364, False), (365, True), (1000, True)])
def test_first_visit_when_never_seen_or_not_for_a_year(days_ago: int | None, first: bool) -> None:
    last = None if days_ago is None else TODAY - timedelta(days=days_ago)
    assert suggests_first_visit(last, TODAY) is first


# --- property --------------------------------------------------------------------------------

doctor_pools = st.lists(st.tuples(st.integers(0, 20), st.booleans()), min_size=1, max_size=8)


@settings(max_examples=150, deadline=None)
@given(pool=doctor_pools, last=st.none() | st.integers(0, 9).map(lambda n: f"D{n:02d}"))
def test_rotation_always_picks_a_doctor_with_the_least_load(
        pool: list[tuple[int, bool]], last: str | None) -> None:
    on_duty = [DoctorOnDuty(i + 1, f"D{i:02d}", f"Dr {i}", Sex.MALE if male else Sex.FEMALE, load)
               for i, (load, male) in enumerate(pool)]
    picked = rotate(on_duty, last)
    assert picked in on_duty
    assert picked.load_today == min(d.load_today for d in on_duty)
    lightest = sorted(d.staff_number for d in on_duty if d.load_today == picked.load_today)
    after = [n for n in lightest if last is not None and n > last]
    assert picked.staff_number == (after or lightest)[0]
    choice = choose_doctor(list(reversed(on_duty)), NEW, request(), last)
    assert choice == Assignment(picked.id, AssignmentRule.ROTATION)


def test_rotation_orders_staff_numbers_as_people_read_them() -> None:

    doctors = [DoctorOnDuty(i, number, number, Sex.MALE, 0)
               for i, number in enumerate(("D10", "D2", "D9"), start=1)]
    assert rotate(doctors, None).staff_number == "D2"
    assert rotate(doctors, "D2").staff_number == "D9"
    assert rotate(doctors, "D9").staff_number == "D10"
    assert rotate(doctors, "D10").staff_number == "D2"
