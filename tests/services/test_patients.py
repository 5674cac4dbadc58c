"""Registering patients: validation, record numbers and the pinyin forms they are found by."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timezone

import pytest

from clinic_desk.models import Sex
from clinic_desk.services.patients import PatientForm, normalise_phone, register_patient
from clinic_desk.services.pinyin_search import search_forms
from clinic_desk.services.settings import get_settings, save_settings

from tests.clinics import Clinic
from .helpers import expect_field_error, last_audit_entry, rows

TODAY = date(2026, 3, 2)  # the clinic's day at the fixture clock


def patient_form(**changes: object) -> PatientForm:
    return replace(PatientForm(name="张三", sex=Sex.MALE, birth_date=date(1985, 6, 1),
                               phone="138 1234 5678"), **changes)  # type: ignore[arg-type]


def register(clinic: Clinic, **changes: object) -> int:
    return register_patient(clinic.desk, clinic.receptionist, patient_form(**changes))


def stored(clinic: Clinic, patient_id: int) -> dict[str, object]:
    columns = ("record_number", "name", "sex", "birth_date", "phone", "phone_last4",
               "search_initials", "search_full", "created_by_id")
    values = rows(clinic.desk, f"SELECT {', '.join(columns)} FROM patients WHERE id = ?",
                  patient_id)[0]
    return dict(zip(columns, values))


def test_a_patient_is_registered_with_search_forms(clinic: Clinic) -> None:
    patient_id = register(clinic, name=" 张三 ")
    assert stored(clinic, patient_id) == {
        "record_number": "000001", "name": "张三", "sex": "male", "birth_date": "1985-06-01",
        "phone": "+8613812345678", "phone_last4": "5678", "search_initials": " zs",
        "search_full": " zhangsan", "created_by_id": clinic.receptionist.staff_id}
    entry = last_audit_entry(clinic.desk)
    assert (entry.action, entry.entity_id) == ("patient_registered", patient_id)
    assert entry.details["record_number"] == "000001"


def test_record_numbers_are_sequential_in_the_clinics_format(clinic: Clinic) -> None:
    first, second = register(clinic), register(clinic, name="李四")
    save_settings(clinic.desk, clinic.manager,
                  replace(get_settings(clinic.desk), record_number_format="P{n:04d}"))
    third = register(clinic, name="王五")
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
    expect_field_error(clinic.desk, "phone", lambda: register(clinic, phone="12345"))
    assert stored(clinic, register(clinic))["record_number"] == "000002"


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
    initials, full = search_forms(name)
    assert full.startswith(" ") and initials.startswith(" ")
    full_forms, initial_forms = full.split(), initials.split()
    for reading in readings:
        assert reading in full_forms, (name, reading, full)
    # The given name's initial is the same in each reading, so the surname's decides.
    assert {reading[0] for reading in readings} <= {form[0] for form in initial_forms}


def test_u_umlaut_is_typed_as_v() -> None:
    assert search_forms("吕布") == (" lb", " lvbu")


def test_the_surname_reading_is_stored_for_registered_patients(clinic: Clinic) -> None:
    record = stored(clinic, register(clinic, name="单伟"))
    assert {"shanwei", "danwei"} <= set(str(record["search_full"]).split())
    assert {"sw", "dw"} <= set(str(record["search_initials"]).split())
    found = rows(clinic.desk, "SELECT name FROM patients WHERE search_full LIKE ? ", "% shan%")
    assert found == [("单伟",)]
