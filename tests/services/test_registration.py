"""Registration at the desk: every kind of bad input refused at its field with nothing
written, ID numbers checked part by part, record numbers, duplicates, history and flags."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from id_validator import helper

from clinic_desk.models import Sex
from clinic_desk.services.errors import Conflict, ValidationError
from clinic_desk.services.national_id import check_national_id
from clinic_desk.services.patient_search import search_patients
from clinic_desk.services.patients import (DuplicatePatient, Flag, PatientForm, get_summary,
                                           patient_form, patient_history, register_patient,
                                           update_patient)

from tests.clinics import Clinic
from .helpers import dump, expect_denied, expect_field_error, last_audit_entry, rows

TODAY = date(2026, 3, 2)  # the clinic's day at the fixture clock
#: A well-known valid sample: Beijing Chaoyang (110105), born 31 Dec 1949, female (002).
SAMPLE_ID = "11010519491231002X"


def id_number(region: str = "110105", birth: str = "19850601", sequence: str = "123") -> str:
    """A resident ID number with the right MOD 11-2 check digit; odd sequence = male."""
    body = region + birth + sequence
    return body + helper.generator_check_bit(body)


def form(**changes: object) -> PatientForm:
    return replace(PatientForm(name="张三", sex=Sex.MALE, birth_date=date(1985, 6, 1),
                               phone="138 1234 5678"), **changes)  # type: ignore[arg-type]


def register(clinic: Clinic, allow_duplicate: bool = False, **changes: object) -> int:
    return register_patient(clinic.desk, clinic.receptionist, form(**changes), allow_duplicate)


def patient_count(clinic: Clinic) -> int:
    return rows(clinic.desk, "SELECT count(*) FROM patients")[0][0]


# --- bad input -------------------------------------------------------------------------------

@pytest.mark.parametrize(("changes", "field"), [
    ({"name": ""}, "name"),
    ({"name": "  \u3000 "}, "name"),  # blank, with an ideographic space
    ({"name": "张" * 300}, "name"),
    ({"name": "张三😀"}, "name"),
    ({"name": "张三2"}, "name"),
    ({"birth_date": date(2026, 3, 3)}, "birth_date"),
    ({"birth_date": date(1905, 3, 1)}, "birth_date"),  # 121 years old
    ({"sex": None}, "sex"),
    ({"phone": "1381234"}, "phone"),
    ({"phone": "138 1234 56789"}, "phone"),
    ({"phone": "abc"}, "phone"),
    ({"national_id": "11010519491231002"}, "national_id"),  # 17 characters
    ({"national_id": "1101051949123100201"}, "national_id"),  # 19 characters
    ({"national_id": "11010519491231002Y"}, "national_id"),
    ({"record_number": "A-1"}, "record_number"),
], ids=lambda value: value if isinstance(value, str) else None)
def test_bad_input_is_refused_at_its_field_and_nothing_is_written(
        clinic: Clinic, changes: dict[str, object], field: str) -> None:
    expect_field_error(clinic.desk, field, lambda: register(clinic, **changes))


def test_every_wrong_field_is_named_at_once(clinic: Clinic) -> None:
    error = expect_field_error(clinic.desk, "name", lambda: register(
        clinic, name="", sex=None, birth_date=None, phone="12"))
    assert set(error.errors) == {"name", "sex", "birth_date", "phone"}


def test_the_oldest_and_youngest_possible_birth_dates_are_accepted(clinic: Clinic) -> None:
    oldest = register(clinic, birth_date=date(1906, 3, 2))  # exactly 120
    newborn = register(clinic, name="李四", phone="139 0000 0002", birth_date=TODAY)
    assert rows(clinic.desk, "SELECT id, birth_date FROM patients ORDER BY id") == [
        (oldest, "1906-03-02"), (newborn, "2026-03-02")]


@pytest.mark.parametrize(("typed", "stored"), [
    ("021-64388888", "+862164388888"),       # Shanghai landline
    ("010 6512 3456", "+861065123456"),      # Beijing landline
    ("+852 9123 4567", "+85291234567"),      # Hong Kong
    ("+853 6612 3456", "+85366123456"),      # Macau
    ("+886 912 345 678", "+886912345678"),   # Taiwan
])
def test_landlines_and_hong_kong_macau_taiwan_numbers_are_accepted(
        clinic: Clinic, typed: str, stored: str) -> None:
    patient = register(clinic, phone=typed)
    assert rows(clinic.desk, "SELECT phone, phone_last4 FROM patients WHERE id = ?",
                patient) == [(stored, stored[-4:])]


# --- ID numbers ------------------------------------------------------------------------------

@pytest.mark.parametrize(("number", "words"), [
    ("110105194912310021", "check digit"),
    (id_number(birth="19850230"), "19850230"),       # 30 February
    (id_number(birth="20270101"), "20270101"),       # not born yet
    (id_number(region="999999"), "999999"),          # no such region
    ("1101051985060112", "16"),                       # too short
    ("11010519850601123X0", "19"),                    # too long
], ids=["check-digit", "impossible-date", "future-date", "region", "short", "long"])
def test_a_wrong_id_number_says_which_part_is_wrong(clinic: Clinic, number: str,
                                                    words: str) -> None:
    error = expect_field_error(clinic.desk, "national_id",
                               lambda: register(clinic, national_id=number))
    assert words in error.errors["national_id"]


def test_the_wrong_check_digit_is_called_the_check_digit() -> None:
    with pytest.raises(ValidationError) as info:
        check_national_id(SAMPLE_ID[:-1] + "1", TODAY)
    assert "check digit" in info.value.errors["national_id"]


def test_a_valid_id_number_gives_birth_date_and_sex() -> None:
    assert check_national_id(SAMPLE_ID.lower(), TODAY).birth_date == date(1949, 12, 31)
    assert check_national_id(SAMPLE_ID, TODAY).sex is Sex.FEMALE
    assert check_national_id(id_number(sequence="123"), TODAY).sex is Sex.MALE


def test_a_valid_id_number_is_stored_normalised(clinic: Clinic) -> None:
    patient = register(clinic, name="王芳", sex=Sex.FEMALE, birth_date=date(1949, 12, 31),
                       national_id="110105 19491231 002x")
    assert rows(clinic.desk, "SELECT national_id FROM patients WHERE id = ?", patient) == [
        (SAMPLE_ID,)]


def test_an_id_number_that_disagrees_with_the_form_names_birth_date_and_sex(
        clinic: Clinic) -> None:
    error = expect_field_error(clinic.desk, "birth_date", lambda: register(
        clinic, sex=Sex.MALE, birth_date=date(1950, 1, 1), national_id=SAMPLE_ID))
    assert set(error.errors) == {"birth_date", "sex"}
    expect_field_error(clinic.desk, "sex", lambda: register(
        clinic, sex=Sex.FEMALE, birth_date=date(1985, 6, 1), national_id=id_number()))


# --- record numbers --------------------------------------------------------------------------

def test_a_record_number_typed_by_hand_must_be_free(clinic: Clinic) -> None:
    register(clinic, record_number="P0001")
    error = expect_field_error(clinic.desk, "record_number", lambda: register(
        clinic, name="李四", phone="139 0000 0002", record_number="P0001"))
    assert "P0001" in error.errors["record_number"]
    # surrounding spaces do not make it another number
    expect_field_error(clinic.desk, "record_number", lambda: register(
        clinic, name="李四", phone="139 0000 0002", record_number=" P0001 "))


def test_record_numbers_are_gap_free_and_pass_over_a_typed_number(clinic: Clinic) -> None:
    typed = register(clinic, record_number="000002")
    patients = [register(clinic, name=name, phone=f"139 0000 000{i}")
                for i, name in enumerate(("李四", "王五", "赵六"), start=1)]
    assert rows(clinic.desk, "SELECT id, record_number FROM patients ORDER BY id") == [
        (typed, "000002"), (patients[0], "000001"), (patients[1], "000003"),
        (patients[2], "000004")]
    assert rows(clinic.desk, "SELECT last_value FROM counters WHERE name = 'record_number'") \
        == [(4,)]


def test_a_refused_registration_does_not_use_up_a_number(clinic: Clinic) -> None:
    register(clinic)
    with pytest.raises(DuplicatePatient):
        register(clinic)
    expect_field_error(clinic.desk, "name", lambda: register(clinic, name=""))
    second = register(clinic, name="李四", phone="139 0000 0002")
    assert rows(clinic.desk, "SELECT record_number FROM patients WHERE id = ?", second) == [
        ("000002",)]


# --- duplicates ------------------------------------------------------------------------------

@pytest.mark.parametrize("changes", [
    {"name": "李四", "birth_date": date(1990, 1, 1), "phone": "+86 138-1234-5678"},  # phone
    {"name": " 张三", "phone": "139 0000 0002"},  # name and birth date
], ids=["same-phone", "same-name-and-birth-date"])
def test_a_possible_duplicate_is_shown_and_can_be_registered_anyway(
        clinic: Clinic, changes: dict[str, object]) -> None:
    existing = register(clinic)
    before = dump(clinic.desk)
    with pytest.raises(DuplicatePatient) as info:
        register(clinic, **changes)
    assert isinstance(info.value, Conflict)
    assert [(m.id, m.name, m.record_number) for m in info.value.matches] == [
        (existing, "张三", "000001")]
    assert dump(clinic.desk) == before
    second = register(clinic, allow_duplicate=True, **changes)
    assert rows(clinic.desk, "SELECT id, record_number FROM patients ORDER BY id") == [
        (existing, "000001"), (second, "000002")]


def test_same_name_with_another_birth_date_and_phone_is_not_a_duplicate(clinic: Clinic) -> None:
    register(clinic)
    register(clinic, birth_date=date(1990, 1, 1), phone="139 0000 0002")
    assert patient_count(clinic) == 2


# --- edits and their history -----------------------------------------------------------------

def test_an_edit_is_audited_with_old_and_new_values_and_a_reason(clinic: Clinic) -> None:
    patient = register(clinic)
    clinic.clock.advance(minutes=5)
    changed = update_patient(
        clinic.desk, clinic.receptionist, patient,
        replace(patient_form(clinic.desk, patient), phone="139 8765 4321",
                address="88 Caoxi Road", record_number="X999"),
        reason="  new phone  ")
    assert changed == {"phone": ["+8613812345678", "+8613987654321"],
                       "address": ["", "88 Caoxi Road"]}
    assert rows(clinic.desk, "SELECT record_number, phone, address FROM patients") == [
        ("000001", "+8613987654321", "88 Caoxi Road")]  # the record number stays
    entry = last_audit_entry(clinic.desk)
    assert (entry.action, entry.entity, entry.entity_id, entry.actor_id) == (
        "patient_changed", "patient", patient, clinic.receptionist.staff_id)
    assert entry.details == changed
    assert rows(clinic.desk, "SELECT reason FROM audit_entries ORDER BY id DESC LIMIT 1") == [
        ("new phone",)]
    history = patient_history(clinic.desk, patient)
    assert [(h.action, h.who, h.reason) for h in history] == [
        ("patient_changed", "Zhao Xiaoyu", "new phone"),
        ("patient_registered", "Zhao Xiaoyu", "")]
    assert history[0].changes == changed
    assert history[0].at > history[1].at


def test_an_edit_that_changes_nothing_writes_nothing(clinic: Clinic) -> None:
    patient = register(clinic)
    before = dump(clinic.desk)
    assert update_patient(clinic.desk, clinic.receptionist, patient,
                          patient_form(clinic.desk, patient)) == {}
    assert dump(clinic.desk) == before


def test_a_bad_edit_is_refused_and_writes_nothing(clinic: Clinic) -> None:
    patient = register(clinic)
    expect_field_error(clinic.desk, "name", lambda: update_patient(
        clinic.desk, clinic.receptionist, patient,
        replace(patient_form(clinic.desk, patient), name="张三😀")))


def test_a_cashier_cannot_register_or_edit(clinic: Clinic) -> None:
    patient = register(clinic)
    expect_denied(clinic.desk, lambda: register_patient(
        clinic.desk, clinic.cashier, form(name="李四", phone="139 0000 0002")))
    expect_denied(clinic.desk, lambda: update_patient(
        clinic.desk, clinic.cashier, patient,
        replace(patient_form(clinic.desk, patient), name="李四")))


# --- flagged conditions ----------------------------------------------------------------------

def test_flagged_conditions_come_back_with_their_names_and_colours(clinic: Clinic) -> None:
    # The starting list, in the clinic's order: allergy, pregnancy, hypertension, diabetes...
    (allergy, pregnancy, _hypertension, diabetes, _bleeding) = [
        (kind_id, Flag(name, colour)) for kind_id, name, colour in rows(
            clinic.desk, "SELECT id, name, colour FROM condition_kinds ORDER BY sort_order")]
    assert (allergy[1].colour, diabetes[1].colour) == ("#d32f2f", "#6a1b9a")
    wanted = frozenset({diabetes[0], allergy[0]})
    patient = register(clinic, condition_kind_ids=wanted)
    assert {k for (k,) in rows(clinic.desk, "SELECT condition_kind_id FROM patient_conditions "
                                            "WHERE patient_id = ?", patient)} == wanted
    expected = (allergy[1], diabetes[1])
    assert get_summary(clinic.desk, patient).flags == expected
    assert search_patients(clinic.desk, "zs")[0].flags == expected

    update_patient(clinic.desk, clinic.receptionist, patient, replace(
        patient_form(clinic.desk, patient),
        condition_kind_ids=frozenset({pregnancy[0], diabetes[0]})), reason="pregnant")
    assert get_summary(clinic.desk, patient).flags == (pregnancy[1], diabetes[1])
    assert last_audit_entry(clinic.desk).details == {
        "conditions": [sorted(wanted), sorted({pregnancy[0], diabetes[0]})]}


def test_a_patient_without_conditions_has_no_flags(clinic: Clinic) -> None:
    assert get_summary(clinic.desk, register(clinic)).flags == ()
