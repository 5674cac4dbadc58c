"""Staff records: doctors with weekly hours, users with roles and passwords, edits audited."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import time

import pytest

from clinic_desk.models import Role, Sex
from clinic_desk.services.auth import log_in
from clinic_desk.services.errors import AuthenticationFailed, ValidationError
from clinic_desk.services.staff import (Shift, StaffForm, add_staff, list_staff, own_language,
                                        set_own_language, staff_form, update_staff)

from tests.clinics import MANAGER_LOGIN, RECEPTIONIST_LOGIN, Clinic
from .helpers import expect_field_error, last_audit_entry, rows

MONDAY, TUESDAY = 0, 1


def shift(weekday: int, start: str, end: str) -> Shift:
    return Shift(weekday, time.fromisoformat(start), time.fromisoformat(end))


def doctor_form(**changes: object) -> StaffForm:
    values: dict[str, object] = dict(
        staff_number="D01", full_name="李建国", sex=Sex.MALE, roles=frozenset({Role.DOCTOR}),
        shifts=(shift(MONDAY, "13:30", "17:30"), shift(MONDAY, "08:30", "12:00"),
                shift(TUESDAY, "08:30", "12:00")))
    values.update(changes)
    return StaffForm(**values)  # type: ignore[arg-type]


def receptionist_form(**changes: object) -> StaffForm:
    values: dict[str, object] = dict(
        staff_number="R02", full_name="王小燕", sex=Sex.FEMALE,
        roles=frozenset({Role.RECEPTIONIST}), username="wang", password="front-desk")
    values.update(changes)
    return StaffForm(**values)  # type: ignore[arg-type]


def test_a_doctor_is_added_with_split_shifts(clinic: Clinic) -> None:
    doctor_id = add_staff(clinic.desk, clinic.manager, doctor_form(full_name="  李建国 "))

    row = next(r for r in list_staff(clinic.desk) if r.id == doctor_id)
    assert (row.staff_number, row.full_name, row.sex, row.roles, row.username) == (
        "D01", "李建国", Sex.MALE, frozenset({Role.DOCTOR}), "")
    assert row.shifts == (shift(MONDAY, "08:30", "12:00"), shift(MONDAY, "13:30", "17:30"),
                          shift(TUESDAY, "08:30", "12:00"))
    assert rows(clinic.desk, "SELECT username, password_hash FROM staff WHERE id = ?",
                doctor_id) == [(None, None)]
    assert rows(clinic.desk, "SELECT count(*) FROM working_hours WHERE staff_id = ?",
                doctor_id) == [(3,)]
    entry = last_audit_entry(clinic.desk)
    assert (entry.action, entry.actor_id, entry.entity_id) == (
        "staff_added", clinic.manager.staff_id, doctor_id)
    assert entry.details["shifts"] == ["0:08:30-12:00", "0:13:30-17:30", "1:08:30-12:00"]


def test_a_user_is_added_with_a_hashed_password_that_logs_in(clinic: Clinic) -> None:
    staff_id = add_staff(clinic.desk, clinic.manager, receptionist_form())
    (stored,), = rows(clinic.desk, "SELECT password_hash FROM staff WHERE id = ?", staff_id)
    assert stored.startswith("scrypt$") and "front-desk" not in stored
    assert log_in(clinic.desk, "wang", "front-desk").staff_id == staff_id
    assert "front-desk" not in json.dumps(rows(clinic.desk, "SELECT details FROM audit_entries"))


@pytest.mark.parametrize(("form", "field"), [
    (doctor_form(full_name=""), "full_name"),
    (doctor_form(full_name="   "), "full_name"),
    (doctor_form(full_name="名" * 101), "full_name"),
    (doctor_form(staff_number=""), "staff_number"),
    (doctor_form(staff_number="R01"), "staff_number"),  # the receptionist's
    (doctor_form(staff_number=" R01 "), "staff_number"),
    (doctor_form(roles=frozenset()), "roles"),
    (receptionist_form(username=""), "username"),
    (receptionist_form(username="", password=""), "username"),
    (receptionist_form(password=""), "password"),
    (receptionist_form(password="12345"), "password"),
    (receptionist_form(username=MANAGER_LOGIN[0].upper()), "username"),
    (receptionist_form(username=f" {RECEPTIONIST_LOGIN[0]} "), "username"),
    (doctor_form(shifts=(shift(MONDAY, "12:00", "08:30"),)), "shifts"),
    (doctor_form(shifts=(shift(MONDAY, "08:30", "08:30"),)), "shifts"),
    (doctor_form(shifts=(shift(MONDAY, "08:30", "12:00"), shift(MONDAY, "11:30", "17:00"))),
     "shifts"),
    (doctor_form(shifts=(shift(MONDAY, "08:00", "18:00"), shift(MONDAY, "09:00", "10:00"),
                         shift(MONDAY, "13:00", "14:00"))), "shifts"),
    (doctor_form(shifts=(shift(7, "08:30", "12:00"),)), "shifts"),
], ids=lambda value: value if isinstance(value, str) else None)
def test_bad_staff_forms_name_their_field_and_write_nothing(clinic: Clinic, form: StaffForm,
                                                            field: str) -> None:
    expect_field_error(clinic.desk, field, lambda: add_staff(clinic.desk, clinic.manager, form))


def test_shifts_on_different_days_or_back_to_back_are_fine(clinic: Clinic) -> None:
    shifts = (shift(MONDAY, "08:30", "12:00"), shift(MONDAY, "12:00", "17:00"),
              shift(TUESDAY, "08:30", "12:00"))
    doctor_id = add_staff(clinic.desk, clinic.manager, doctor_form(shifts=shifts))
    assert staff_form(clinic.desk, doctor_id).shifts == shifts


@pytest.mark.parametrize("change", [{"roles": frozenset({Role.RECEPTIONIST})}, {"active": False}])
def test_the_last_manager_cannot_be_removed(clinic: Clinic, change: dict[str, object]) -> None:
    form = replace(staff_form(clinic.desk, clinic.manager.staff_id),
                   **change)  # type: ignore[arg-type]
    expect_field_error(clinic.desk, "roles",
                       lambda: update_staff(clinic.desk, clinic.manager, clinic.manager.staff_id,
                                            form))


def test_a_manager_may_step_down_when_another_manager_remains(clinic: Clinic) -> None:
    other = add_staff(clinic.desk, clinic.manager, receptionist_form(
        staff_number="M02", username="deputy", roles=frozenset({Role.MANAGER})))
    form = replace(staff_form(clinic.desk, clinic.manager.staff_id),
                   roles=frozenset({Role.CASHIER}))
    update_staff(clinic.desk, clinic.manager, clinic.manager.staff_id, form)
    assert log_in(clinic.desk, *MANAGER_LOGIN).roles == frozenset({Role.CASHIER})
    assert staff_form(clinic.desk, other).roles == frozenset({Role.MANAGER})


def test_an_edit_keeps_the_old_and_new_values_in_the_audit_log(clinic: Clinic) -> None:
    staff_id = clinic.receptionist.staff_id
    before = staff_form(clinic.desk, staff_id)
    edited = replace(before, full_name="Zhao Xiaoyu-Li", phone="13912345678",
                     roles=before.roles | {Role.CASHIER}, shifts=(shift(MONDAY, "08:00", "12:00"),))

    update_staff(clinic.desk, clinic.manager, staff_id, edited)

    assert staff_form(clinic.desk, staff_id) == edited
    entry = last_audit_entry(clinic.desk)
    assert (entry.action, entry.actor_id, entry.entity_id) == (
        "staff_changed", clinic.manager.staff_id, staff_id)
    assert entry.details == {
        "full_name": [before.full_name, "Zhao Xiaoyu-Li"],
        "phone": ["", "13912345678"],
        "roles": [["receptionist"], ["cashier", "receptionist"]],
        "shifts": [[], ["0:08:00-12:00"]],
    }


def test_an_edit_that_keeps_the_roles_is_saved(clinic: Clinic) -> None:
    """Regression: replacing the role rows re-inserted (staff, role) before deleting it."""
    staff_id = clinic.manager.staff_id
    edited = replace(staff_form(clinic.desk, staff_id), phone="13812345678")
    update_staff(clinic.desk, clinic.manager, staff_id, edited)
    assert staff_form(clinic.desk, staff_id).phone == "13812345678"
    assert rows(clinic.desk, "SELECT role FROM staff_roles WHERE staff_id = ?", staff_id) == [
        ("manager",)]


def test_an_edit_without_a_password_keeps_the_current_one(clinic: Clinic) -> None:
    staff_id = clinic.receptionist.staff_id
    update_staff(clinic.desk, clinic.manager, staff_id,
                 replace(staff_form(clinic.desk, staff_id), full_name="Renamed"))
    assert log_in(clinic.desk, *RECEPTIONIST_LOGIN).name == "Renamed"


def test_a_new_password_replaces_the_old_one_and_is_not_audited_in_clear(clinic: Clinic) -> None:
    staff_id = clinic.receptionist.staff_id
    update_staff(clinic.desk, clinic.manager, staff_id,
                 replace(staff_form(clinic.desk, staff_id), password="brand-new-pw"))
    assert last_audit_entry(clinic.desk).details == {"password": ["***", "***"]}
    with pytest.raises(AuthenticationFailed):
        log_in(clinic.desk, *RECEPTIONIST_LOGIN)
    assert log_in(clinic.desk, RECEPTIONIST_LOGIN[0], "brand-new-pw").staff_id == staff_id


def test_each_user_keeps_their_own_language(clinic: Clinic) -> None:
    set_own_language(clinic.desk, clinic.receptionist, "zh_TW")
    assert own_language(clinic.desk, clinic.receptionist.staff_id) == "zh_TW"
    with pytest.raises(ValidationError) as info:
        set_own_language(clinic.desk, clinic.receptionist, "klingon")
    assert set(info.value.errors) == {"language"}
    assert own_language(clinic.desk, clinic.receptionist.staff_id) == "zh_TW"
