"""Which doctor sees a patient: the front desk's assignment rules, as pure functions.

In order: the doctor of today's appointment; a doctor the patient asks for; within a year
of a treatment, a problem with that work goes to the doctor who did it (unless the patient
refuses them: a complaint); a returning patient sees the same doctor ("one patient, one
doctor") unless they ask for a doctor of the other sex; a patient who asks for a male or
female doctor gets one; everyone else is rotated among the doctors on duty in staff-number
order, keeping loads even. Emergencies go to their own doctor if on duty, else to the
least busy doctor on duty.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from clinic_desk.models import AssignmentRule, Sex

RETREATMENT_PERIOD = timedelta(days=365)


@dataclass(frozen=True)
class DoctorOnDuty:
    id: int
    staff_number: str
    name: str
    sex: Sex
    load_today: int


@dataclass(frozen=True)
class PatientPast:
    """What the clinic knows of the patient's earlier visits."""

    last_doctor_id: int | None = None
    last_visit_date: date | None = None
    last_treatment_doctor_id: int | None = None
    last_treatment_date: date | None = None


@dataclass(frozen=True)
class AssignmentRequest:
    today: date
    emergency: bool = False
    appointment_doctor_id: int | None = None
    preferred_doctor_id: int | None = None
    preferred_sex: Sex | None = None
    problem_with_earlier_work: bool = False
    refuses_original_doctor: bool = False


@dataclass(frozen=True)
class Assignment:
    doctor_id: int | None
    rule: AssignmentRule
    #: A doctor the rules wanted but who is not on duty now (shown to the receptionist).
    unavailable_doctor_id: int | None = None
    #: The patient refused the doctor who did the earlier work: a complaint for the manager.
    complaint_about_doctor_id: int | None = None


def staff_number_order(number: str) -> tuple[tuple[int, int | str], ...]:
    """D2 before D10: digits compare as numbers, the rest as text."""
    return tuple((0, int(part)) if part.isdigit() else (1, part)
                 for part in re.split(r"(\d+)", number) if part)


def rotate(doctors: list[DoctorOnDuty], last_rotated_staff_number: str | None) -> DoctorOnDuty:
    """The least loaded doctor; among equals, the next in staff-number order after the last."""
    ordered = sorted(doctors, key=lambda d: staff_number_order(d.staff_number))
    lightest = min(d.load_today for d in ordered)
    candidates = [d for d in ordered if d.load_today == lightest]
    if last_rotated_staff_number is not None:
        last = staff_number_order(last_rotated_staff_number)
        after = [d for d in candidates if staff_number_order(d.staff_number) > last]
        if after:
            return after[0]
    return candidates[0]


def choose_doctor(on_duty: list[DoctorOnDuty], past: PatientPast, request: AssignmentRequest,
                  last_rotated_staff_number: str | None = None) -> Assignment:
    by_id = {d.id: d for d in on_duty}
    unavailable: int | None = None

    def wanted(doctor_id: int | None, rule: AssignmentRule) -> Assignment | None:
        nonlocal unavailable
        if doctor_id is None:
            return None
        if doctor_id in by_id:
            return Assignment(doctor_id, rule, unavailable)
        unavailable = unavailable or doctor_id
        return None

    complaint: int | None = None
    pool = on_duty
    recent_treatment = (past.last_treatment_date is not None
                        and request.today - past.last_treatment_date < RETREATMENT_PERIOD)
    if request.problem_with_earlier_work and recent_treatment and request.refuses_original_doctor:
        complaint = past.last_treatment_doctor_id
        pool = [d for d in on_duty if d.id != complaint]

    choice = (wanted(request.appointment_doctor_id, AssignmentRule.APPOINTMENT)
              or wanted(request.preferred_doctor_id, AssignmentRule.PREFERRED_DOCTOR))
    if choice is None and complaint is None and request.problem_with_earlier_work \
            and recent_treatment:
        choice = wanted(past.last_treatment_doctor_id, AssignmentRule.RETREATMENT)
    usual = by_id.get(past.last_doctor_id) if past.last_doctor_id is not None else None
    asked_other_sex = (usual is not None and request.preferred_sex is not None
                       and usual.sex != request.preferred_sex)
    if choice is None and complaint is None and not asked_other_sex:
        choice = wanted(past.last_doctor_id, AssignmentRule.SAME_DOCTOR)
    if choice is None and request.preferred_sex is not None:
        same_sex = [d for d in pool if d.sex == request.preferred_sex]
        if same_sex:
            choice = Assignment(rotate(same_sex, last_rotated_staff_number).id,
                                AssignmentRule.PREFERRED_SEX, unavailable)
    if choice is None and pool:
        rule = AssignmentRule.EMERGENCY if request.emergency else AssignmentRule.ROTATION
        if request.emergency:
            doctor = min(sorted(pool, key=lambda d: staff_number_order(d.staff_number)),
                         key=lambda d: d.load_today)
        else:
            doctor = rotate(pool, last_rotated_staff_number)
        choice = Assignment(doctor.id, rule, unavailable)
    if choice is None:
        choice = Assignment(None, AssignmentRule.ROTATION, unavailable)
    if complaint is not None:
        choice = Assignment(choice.doctor_id, choice.rule, choice.unavailable_doctor_id, complaint)
    return choice


def suggests_first_visit(last_visit_date: date | None, today: date) -> bool:
    """初诊: never seen, or not seen for a year or more (a new problem)."""
    return last_visit_date is None or today - last_visit_date >= RETREATMENT_PERIOD
