"""Registering patients: validation, record numbers and the pinyin forms they are found by."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timezone

import pytest

from clinic_desk.models import Sex
from clinic_desk.services.patients import (DuplicatePatient, PatientForm, normalise_phone,
                                           register_patient)
from clinic_desk.services.search_terms import name_terms, patient_terms, pinyin_forms
from clinic_desk.services.settings import get_settings, save_settings

from tests.clinics import Clinic
from .helpers import dump, expect_field_error, last_audit_entry, rows

TODAY = date(2026, 3, 2)  # the clinic's day at the fixture clock


def patient_form(**changes: object) -> PatientForm:
    return replace(PatientForm(name="张三", sex=Sex.MALE, birth_date=date(1985, 6, 1),
                               phone="138 1234 5678"), **changes)  # type: ignore[arg-type]


def register(clinic: Clinic, **changes: object) -> int:
    return register_patient(clinic.desk, clinic.receptionist, patient_form(**changes))


def stored(clinic: Clinic, patient_id: int) -> dict[str, object]:
    columns = ("record_number", "name", "sex", "birth_date", "phone", "phone_last4",
               "created_by_id")
    values = rows(clinic.desk, f"SELECT {', '.join(columns)} FROM patients WHERE id = ?",
                  patient_id)[0]
    return dict(zip(columns, values))


def stored_terms(clinic: Clinic, patient_id: int) -> set[str]:
    return {term for (term,) in rows(
        clinic.desk, "SELECT term FROM patient_search_terms WHERE patient_id = ?", patient_id)}


def test_a_patient_is_registered_with_search_terms(clinic: Clinic) -> None:
    patient_id = register(clinic, name=" 张三 ")
    assert stored(clinic, patient_id) == {
        "record_number": "000001", "name": "张三", "sex": "male", "birth_date": "1985-06-01",
        "phone": "+8613812345678", "phone_last4": "5678",
        "created_by_id": clinic.receptionist.staff_id}
    assert stored_terms(clinic, patient_id) == {
        "zs", "zhangsan", "张三", "三", "13812345678", "8613812345678"}
    entry = last_audit_entry(clinic.desk)
    assert (entry.action, entry.entity_id) == ("patient_registered", patient_id)
    assert entry.details["record_number"] == "000001"


def test_record_numbers_are_sequential_in_the_clinics_format(clinic: Clinic) -> None:
    first = register(clinic)
    second = register(clinic, name="李四", phone="139 0000 0002")
    save_settings(clinic.desk, clinic.manager,
                  replace(get_settings(clinic.desk), record_number_format="P{n:04d}"))
    third = register(clinic, name="王五", phone="139 0000 0003")
    assert [stored(clinic, p)["record_number"] for p in (first, second, third)] == [
        "000001", "000002", "P0003"]


@pytest.mark.parametrize(("changes", "field"), [
    ({"name": ""}, "name"),
    ({"name": "   "}, "name"),
    ({"name": "张" * 300}, "name"),
    ({"name": "张三😀"}, "name"),
    ({"name": "张☆三"}, "name"),
    ({"name": "张3"}, "name"),
    ({"birth_date": None}, "birth_date"),
    ({"birth_date": date(2026, 3, 3)}, "birth_date"),
    ({"birth_date": date(1896, 3, 2)}, "birth_date"),
    ({"phone": ""}, "phone"),
    ({"phone": "12345"}, "phone"),
    ({"phone": "138-1234-567"}, "phone"),
    ({"phone": "phone me"}, "phone"),
    ({"phone": "+1 212 555 1234"}, "phone"),
], ids=lambda value: value if isinstance(value, str) else None)
def test_bad_patient_forms_name_their_field_and_write_nothing(
        clinic: Clinic, changes: dict[str, object], field: str) -> None:
    expect_field_error(clinic.desk, field, lambda: register(clinic, **changes))


def test_the_next_registration_after_a_refusal_takes_the_next_number(clinic: Clinic) -> None:
    register(clinic)
    expect_field_error(clinic.desk, "phone",
                       lambda: register(clinic, name="李四", phone="12345"))
    assert stored(clinic, register(clinic, name="李四", phone="139 0000 0002"))[
        "record_number"] == "000002"


def test_the_same_person_twice_is_refused_as_a_duplicate(clinic: Clinic) -> None:
    first = register(clinic)
    before = dump(clinic.desk)
    with pytest.raises(DuplicatePatient) as info:
        register(clinic)
    assert [match.id for match in info.value.matches] == [first]
    assert dump(clinic.desk) == before


def test_today_is_the_clinics_local_day(clinic: Clinic) -> None:
    """At 01:00 in Shanghai it is still yesterday in UTC; a baby born today is not 'future'."""
    clinic.clock.set(datetime(2026, 3, 1, 17, 0, tzinfo=timezone.utc))
    register(clinic, birth_date=date(2026, 3, 2))
    expect_field_error(clinic.desk, "birth_date",
                       lambda: register(clinic, birth_date=date(2026, 3, 3)))


@pytest.mark.parametrize(("text", "expected"), [
    ("138 1234 5678", "+8613812345678"),
    ("+86 138-1234-5678", "+8613812345678"),
    ("021-6438 8888", "+862164388888"),
    ("+852 9123 4567", "+85291234567"),
    ("0912 345 678", "+886912345678"),
])
def test_phone_numbers_are_stored_in_one_form(text: str, expected: str) -> None:
    assert normalise_phone(text) == expected


# --- pinyin --------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "readings"), [
    ("单伟", ("shanwei", "danwei")),
    ("曾强", ("zengqiang", "cengqiang")),
    ("解放", ("xiefang", "jiefang")),
    ("区华", ("ouhua", "quhua")),
    ("仇杰", ("qiujie", "choujie")),
    ("朴明", ("piaoming", "puming")),
    ("查文", ("zhawen", "chawen")),
    ("盖国", ("geguo", "gaiguo")),
])
def test_every_reading_of_a_surname_finds_the_patient(name: str, readings: tuple[str, ...]) -> None:
    initials, fulls = pinyin_forms(name)
    for reading in readings:
        assert reading in fulls, (name, reading, fulls)
    # The surname's usual reading as a name comes first.
    assert fulls[0] == readings[0]
    # The given name's initial is the same in each reading, so the surname's decides.
    assert {reading[0] for reading in readings} <= {form[0] for form in initials}
    assert set(initials) | set(fulls) <= name_terms(name)


def test_u_umlaut_is_typed_as_v() -> None:
    assert pinyin_forms("吕布") == (["lb"], ["lvbu"])


def test_a_name_without_letters_has_no_pinyin() -> None:
    assert pinyin_forms("  ") == ([], [])
    assert name_terms("") == set()


def test_phone_terms_are_the_national_number_with_and_without_country_code() -> None:
    assert patient_terms("", "+85291234567") == {"91234567", "85291234567"}
    assert patient_terms("", "not a number") == set()


def test_the_surname_readings_are_stored_for_registered_patients(clinic: Clinic) -> None:
    patient_id = register(clinic, name="单伟")
    assert {"shanwei", "danwei", "sw", "dw"} <= stored_terms(clinic, patient_id)
    found = rows(clinic.desk, "SELECT DISTINCT p.name FROM patient_search_terms t "
                              "JOIN patients p ON p.id = t.patient_id WHERE t.term LIKE 'shan%'")
    assert found == [("单伟",)]
