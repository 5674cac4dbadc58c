"""Quick registration of a caller booking by phone: name and phone checked as at the desk,
the duplicate-phone warning, found by search at once, audited; the details completed when
the patient arrives; and the booking, reminder, check-in and queue reading such a record."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date

import pytest

from clinic_desk.demo import DEMO_CALLERS, DEMO_PATIENTS, populate_demo
from clinic_desk.models import Sex
from clinic_desk.services import calendar, followups, queue
from clinic_desk.services.checkin import CheckInRequest, propose_check_in
from clinic_desk.services.context import Desk
from clinic_desk.services.errors import ValidationError
from clinic_desk.services.patient_search import search_patients
from clinic_desk.services.patients import (DuplicatePatient, PatientForm, get_summary,
                                           patient_form, patient_history,
                                           quick_register_patient, register_patient,
                                           update_patient)

from tests.clinics import Clinic
from .calendar_setup import TOMORROW, Calendar
from .helpers import at, dump, expect_denied, expect_field_error, last_audit_entry, rows

BIRTH = date(1985, 6, 1)


def quick(clinic: Clinic, name: str = "赵晓雨", phone: str = "138 1234 5678",
          allow_duplicate: bool = False) -> int:
    return quick_register_patient(clinic.desk, clinic.receptionist, name, phone,
                                  allow_duplicate)


def completed(clinic: Clinic, patient_id: int, **changes: object) -> PatientForm:
    """The patient's record as the desk fills it in on arrival."""
    details: dict[str, object] = {"sex": Sex.FEMALE, "birth_date": BIRTH, **changes}
    return replace(patient_form(clinic.desk, patient_id), **details)  # type: ignore[arg-type]


# --- registering -----------------------------------------------------------------------------

def test_name_and_phone_make_a_record_with_its_number_marked_incomplete(clinic: Clinic) -> None:
    patient_id = quick(clinic)

    assert rows(clinic.desk, "SELECT record_number, name, sex, birth_date, phone, phone_last4 "
                             "FROM patients WHERE id = ?", patient_id) == [
        ("000001", "赵晓雨", None, None, "+8613812345678", "5678")]
    summary = get_summary(clinic.desk, patient_id)
    assert summary.details_missing
    assert summary.missing_details == ("sex", "birth_date")
    entry = last_audit_entry(clinic.desk)
    assert (entry.action, entry.actor_id, entry.entity, entry.entity_id) == (
        "patient_quick_registered", clinic.receptionist.staff_id, "patient", patient_id)
    assert entry.details["name"] == "赵晓雨"
    assert (entry.details["sex"], entry.details["birth_date"]) == (None, None)


def test_the_caller_is_found_at_once_by_pinyin_phone_and_record_number(clinic: Clinic) -> None:
    patient_id = quick(clinic, name="欧阳明华", phone="139 8765 4321")
    for typed in ("oymh", "ouyang", "明华", "4321", "13987654321", "000001"):
        assert [p.id for p in search_patients(clinic.desk, typed)] == [patient_id], typed


@pytest.mark.parametrize(("name", "phone", "field"), [
    ("", "138 1234 5678", "name"),
    ("  \u3000 ", "138 1234 5678", "name"),
    ("张" * 51, "138 1234 5678", "name"),
    ("张三😀", "138 1234 5678", "name"),
    ("张三2", "138 1234 5678", "name"),
    ("张三", "", "phone"),
    ("张三", "1381234", "phone"),
    ("张三", "abc", "phone"),
], ids=["empty", "blank", "too-long", "emoji", "digit", "no-phone", "short-phone", "letters"])
def test_name_and_phone_are_checked_as_at_the_desk(clinic: Clinic, name: str, phone: str,
                                                   field: str) -> None:
    error = expect_field_error(clinic.desk, field, lambda: quick(clinic, name, phone))
    assert set(error.errors) == {field}
    with pytest.raises(ValidationError) as full:
        register_patient(clinic.desk, clinic.receptionist, PatientForm(
            name=name, sex=Sex.MALE, birth_date=BIRTH, phone=phone))
    assert full.value.errors[field] == error.errors[field]  # one set of checks for both


def test_a_cashier_may_not_register(clinic: Clinic) -> None:
    expect_denied(clinic.desk, lambda: quick_register_patient(
        clinic.desk, clinic.cashier, "赵晓雨", "138 1234 5678"))


def test_a_phone_already_on_file_is_offered_first(clinic: Clinic) -> None:
    known = register_patient(clinic.desk, clinic.receptionist, PatientForm(
        name="赵晓雨", sex=Sex.FEMALE, birth_date=BIRTH, phone="138 1234 5678"))
    before = dump(clinic.desk)
    with pytest.raises(DuplicatePatient) as duplicate:
        quick(clinic, name="赵小雨", phone="+86 138-1234-5678")
    assert [m.id for m in duplicate.value.matches] == [known]
    assert dump(clinic.desk) == before

    other = quick(clinic, name="赵小雨", phone="+86 138-1234-5678", allow_duplicate=True)
    assert other != known and get_summary(clinic.desk, other).details_missing


def test_a_quick_registered_caller_is_offered_when_registering_in_full(clinic: Clinic) -> None:
    caller = quick(clinic)
    with pytest.raises(DuplicatePatient) as duplicate:
        register_patient(clinic.desk, clinic.receptionist, PatientForm(
            name="赵晓雨", sex=Sex.FEMALE, birth_date=BIRTH, phone="13812345678"))
    (match,) = duplicate.value.matches
    assert (match.id, match.sex, match.birth_date, match.details_missing) == (
        caller, None, None, True)


# --- completing on arrival -------------------------------------------------------------------

def test_completing_requires_the_missing_details_and_writes_nothing_without(
        clinic: Clinic) -> None:
    patient_id = quick(clinic)
    error = expect_field_error(clinic.desk, "sex", lambda: update_patient(
        clinic.desk, clinic.receptionist, patient_id, patient_form(clinic.desk, patient_id),
        complete=True))
    assert set(error.errors) == {"sex", "birth_date"}
    expect_field_error(clinic.desk, "birth_date", lambda: update_patient(
        clinic.desk, clinic.receptionist, patient_id,
        replace(patient_form(clinic.desk, patient_id), sex=Sex.FEMALE), complete=True))


def test_completed_details_are_checked_and_audited_as_a_completion(clinic: Clinic) -> None:
    patient_id = quick(clinic)
    expect_field_error(clinic.desk, "birth_date", lambda: update_patient(
        clinic.desk, clinic.receptionist, patient_id,
        completed(clinic, patient_id, birth_date=date(2026, 3, 3)), complete=True))

    changed = update_patient(clinic.desk, clinic.receptionist, patient_id,
                             completed(clinic, patient_id), complete=True)

    assert changed == {"sex": [None, Sex.FEMALE], "birth_date": [None, BIRTH]}
    summary = get_summary(clinic.desk, patient_id)
    assert (summary.sex, summary.birth_date, summary.details_missing) == (
        Sex.FEMALE, BIRTH, False)
    entry = last_audit_entry(clinic.desk)
    assert (entry.action, entry.entity_id, entry.details) == (
        "patient_details_completed", patient_id,
        {"sex": [None, "female"], "birth_date": [None, "1985-06-01"]})
    assert [h.action for h in patient_history(clinic.desk, patient_id)] == [
        "patient_details_completed", "patient_quick_registered"]


def test_before_arrival_the_record_may_be_corrected_without_the_details(clinic: Clinic) -> None:
    patient_id = quick(clinic)
    changed = update_patient(clinic.desk, clinic.receptionist, patient_id, replace(
        patient_form(clinic.desk, patient_id), phone="139 0000 1111"), reason="new phone")
    assert changed == {"phone": ["+8613812345678", "+8613900001111"]}
    assert last_audit_entry(clinic.desk).action == "patient_changed"
    assert get_summary(clinic.desk, patient_id).missing_details == ("sex", "birth_date")
    assert [p.id for p in search_patients(clinic.desk, "1111")] == [patient_id]


def test_details_once_given_cannot_be_removed(clinic: Clinic) -> None:
    patient_id = quick(clinic)
    update_patient(clinic.desk, clinic.receptionist, patient_id,
                   replace(patient_form(clinic.desk, patient_id), sex=Sex.MALE))
    assert get_summary(clinic.desk, patient_id).missing_details == ("birth_date",)
    expect_field_error(clinic.desk, "sex", lambda: update_patient(
        clinic.desk, clinic.receptionist, patient_id,
        replace(patient_form(clinic.desk, patient_id), sex=None)))


# --- everything that reads a patient ---------------------------------------------------------

def test_a_caller_is_booked_reminded_checked_in_and_queued_like_anyone(cal: Calendar) -> None:
    clinic = cal.clinic
    caller = quick(clinic, name="赵晓雨", phone="138 1234 5678")
    assert calendar.default_units(clinic.desk, caller, cal.checkup) == 1  # a new patient
    appointment = cal.book(caller, cal.li, hour=9, day=TOMORROW, units=1)

    (block,) = calendar.day_view(clinic.desk, TOMORROW).blocks
    assert (block.appointment_id, block.patient_name, block.phone) == (
        appointment, "赵晓雨", "138 1234 5678")
    (reminder,) = followups.reminder_list(clinic.desk, TOMORROW)
    assert (reminder.patient_id, reminder.patient_name) == (caller, "赵晓雨")

    clinic.clock.set(at(8, 55, TOMORROW))
    proposal = propose_check_in(clinic.desk, CheckInRequest(patient_id=caller,
                                                            appointment_id=appointment))
    assert proposal.assignment.doctor_id == cal.li
    update_patient(clinic.desk, clinic.receptionist, caller, completed(clinic, caller),
                   complete=True)
    visit_id = calendar.mark_arrived(clinic.desk, clinic.receptionist, appointment, block.version)
    (row,) = queue.queue_snapshot(clinic.desk).rows
    assert (row.visit_id, row.patient_id, row.patient_name) == (visit_id, caller, "赵晓雨")


def test_the_demo_has_callers_waiting_to_be_completed(new_desk: Desk) -> None:
    populate_demo(new_desk)
    missing = rows(new_desk, "SELECT id, name FROM patients WHERE sex IS NULL "
                             "AND birth_date IS NULL ORDER BY id")
    assert len(missing) == DEMO_CALLERS
    assert [row[0] for row in missing] == list(range(DEMO_PATIENTS - DEMO_CALLERS + 1,
                                                      DEMO_PATIENTS + 1))
    patient_id, name = random.Random(1).choice(missing)
    found = [p for p in search_patients(new_desk, name) if p.id == patient_id]
    assert found and found[0].details_missing
