"""Finding a patient at the desk: record number, phone, name or any part of it, and pinyin
(initials, full, prefixes), every reading of the multi-reading surnames."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from itertools import count

import pytest

from clinic_desk.models import Sex
from clinic_desk.services.patient_search import search_patients
from clinic_desk.services.patients import (PatientForm, patient_form, register_patient,
                                           update_patient)
from clinic_desk.services.search_terms import patient_terms

from tests.clinics import Clinic
from .helpers import rows


class Registry:
    """Registers patients with distinct phones unless one is given."""

    def __init__(self, clinic: Clinic) -> None:
        self.clinic = clinic
        self._numbers = count(1)

    def add(self, name: str, phone: str = "", record_number: str = "") -> int:
        form = PatientForm(name=name, sex=Sex.FEMALE, birth_date=date(1980, 1, 1),
                           phone=phone or f"139 0000 {next(self._numbers):04d}",
                           record_number=record_number)
        return register_patient(self.clinic.desk, self.clinic.receptionist, form)


@pytest.fixture
def registry(clinic: Clinic) -> Registry:
    return Registry(clinic)


def found(clinic: Clinic, text: str, limit: int = 30) -> list[int]:
    return [summary.id for summary in search_patients(clinic.desk, text, limit)]


def stored_terms(clinic: Clinic, patient_id: int) -> set[str]:
    return {term for (term,) in rows(
        clinic.desk, "SELECT term FROM patient_search_terms WHERE patient_id = ?", patient_id)}


# --- record number and phone ----------------------------------------------------------------

def test_record_number_in_full_and_by_its_first_characters(clinic: Clinic,
                                                           registry: Registry) -> None:
    first, second = registry.add("张三"), registry.add("李四")
    typed = registry.add("王五", record_number="A7031")
    assert rows(clinic.desk, "SELECT id, record_number FROM patients ORDER BY id") == [
        (first, "000001"), (second, "000002"), (typed, "A7031")]
    assert found(clinic, "000002") == [second]
    assert found(clinic, "00000") == [first, second]
    assert found(clinic, "a70") == [typed]  # typed in lower case
    assert found(clinic, "A7031") == [typed]
    assert found(clinic, "000003") == []


def test_full_phone_number_and_its_first_digits(clinic: Clinic, registry: Registry) -> None:
    mobile = registry.add("张三", phone="138 1234 5678")
    other = registry.add("李四", phone="139 8765 4321")
    hong_kong = registry.add("王五", phone="+852 9123 4567")
    assert found(clinic, "13812345678") == [mobile]
    assert found(clinic, "138 1234 5678") == [mobile]
    assert found(clinic, "1381") == [mobile]
    assert found(clinic, "13") == [mobile, other]
    assert found(clinic, "91234567") == [hong_kong]
    assert found(clinic, "852 9123") == [hong_kong]
    assert found(clinic, "13812345679") == []


def test_last_four_digits_of_the_phone(clinic: Clinic, registry: Registry) -> None:
    first = registry.add("张三", phone="138 1234 5678")
    second = registry.add("李四", phone="+852 9876 5678")
    third = registry.add("王五", phone="139 0000 1234")
    assert rows(clinic.desk, "SELECT phone_last4 FROM patients ORDER BY id") == [
        ("5678",), ("5678",), ("1234",)]
    assert found(clinic, "5678") == [first, second]
    assert found(clinic, "1234") == [third]
    assert found(clinic, "4321") == []


# --- name ------------------------------------------------------------------------------------

def test_name_and_any_part_of_it(clinic: Clinic, registry: Registry) -> None:
    zhang_sanfeng = registry.add("张三丰")
    li_si = registry.add("李四")
    assert found(clinic, "张三丰") == [zhang_sanfeng]
    assert found(clinic, "张") == [zhang_sanfeng]
    assert found(clinic, "三丰") == [zhang_sanfeng]  # the middle
    assert found(clinic, "三") == [zhang_sanfeng]
    assert found(clinic, "丰") == [zhang_sanfeng]  # the last character
    assert found(clinic, "四") == [li_si]
    assert found(clinic, "张四") == []


def test_pinyin_initials_full_and_prefixes(clinic: Clinic, registry: Registry) -> None:
    zhang_san = registry.add("张三")
    zhang_sanfeng = registry.add("张三丰")
    li_si = registry.add("李四")
    assert found(clinic, "zs") == [zhang_san, zhang_sanfeng]  # zs, then zsf
    assert found(clinic, "zsf") == [zhang_sanfeng]
    assert found(clinic, "zhangsan") == [zhang_san, zhang_sanfeng]
    assert found(clinic, "zhangsanfeng") == [zhang_sanfeng]
    assert found(clinic, "zhang") == [zhang_san, zhang_sanfeng]
    assert found(clinic, "ZHANG San") == [zhang_san, zhang_sanfeng]
    assert found(clinic, "lisi") == [li_si]
    assert found(clinic, "ls") == [li_si]
    assert found(clinic, "wang") == []


@pytest.mark.parametrize(("name", "readings", "given"), [
    ("单伟", ("shan", "dan"), "wei"),
    ("曾强", ("zeng", "ceng"), "qiang"),
    ("解放", ("xie", "jie"), "fang"),
    ("区华", ("ou", "qu"), "hua"),
    ("仇杰", ("qiu", "chou"), "jie"),
    ("朴明", ("piao", "pu"), "ming"),
    ("查文", ("zha", "cha"), "wen"),
    ("盖国", ("ge", "gai"), "guo"),
])
def test_each_reading_of_a_multi_reading_surname_finds_the_patient(
        clinic: Clinic, registry: Registry, name: str, readings: tuple[str, str],
        given: str) -> None:
    patient = registry.add(name)
    for reading in readings:
        for typed in (reading, reading + given, reading[0] + given[0],
                      (reading + given)[:len(reading) + 1]):
            assert found(clinic, typed) == [patient], (name, typed)
        assert {reading + given, reading[0] + given[0]} <= stored_terms(clinic, patient)


@pytest.mark.parametrize(("name", "common", "other", "other_initials"), [
    ("石磊", "shi", "dan", "dl"),    # 石 is also read dan (a unit of weight), never as a surname
    ("方明", "fang", "wang", "wm"),  # 方 has the rare readings pang, wang, feng
])
def test_common_surnames_are_read_the_common_way_only(
        clinic: Clinic, registry: Registry, name: str, common: str, other: str,
        other_initials: str) -> None:
    patient = registry.add(name)
    assert found(clinic, common) == [patient]
    assert found(clinic, other) == []
    assert found(clinic, other_initials) == []
    assert not any(term.startswith(other) for term in stored_terms(clinic, patient))


def test_a_compound_surname(clinic: Clinic, registry: Registry) -> None:
    patient = registry.add("欧阳娜娜")
    for typed in ("ouyang", "ouyangnana", "oy", "oynn", "欧阳", "阳娜", "娜娜", "欧阳娜娜"):
        assert found(clinic, typed) == [patient], typed
    assert found(clinic, "yang") == []


# --- terms follow the record -----------------------------------------------------------------

def test_changing_name_and_phone_rewrites_the_search_terms(clinic: Clinic,
                                                          registry: Registry) -> None:
    patient = registry.add("张三", phone="138 1234 5678")
    form = patient_form(clinic.desk, patient)
    update_patient(clinic.desk, clinic.receptionist, patient,
                   replace(form, name="李四", phone="139 8765 4321"), reason="typo")
    assert stored_terms(clinic, patient) == patient_terms("李四", "+8613987654321")
    for old in ("张三", "张", "zs", "zhangsan", "zhang", "13812345678", "5678"):
        assert found(clinic, old) == [], old
    for new in ("李四", "四", "ls", "lisi", "li", "13987654321", "4321"):
        assert found(clinic, new) == [patient], new


def test_changing_only_the_name_keeps_the_phone_terms(clinic: Clinic,
                                                      registry: Registry) -> None:
    patient = registry.add("张三", phone="138 1234 5678")
    update_patient(clinic.desk, clinic.receptionist, patient,
                   replace(patient_form(clinic.desk, patient), name="张三丰"))
    assert stored_terms(clinic, patient) == patient_terms("张三丰", "+8613812345678")
    assert found(clinic, "zsf") == [patient]
    assert found(clinic, "13812345678") == [patient]


def test_changing_only_the_phone_keeps_the_name_terms(clinic: Clinic,
                                                      registry: Registry) -> None:
    patient = registry.add("张三", phone="138 1234 5678")
    update_patient(clinic.desk, clinic.receptionist, patient,
                   replace(patient_form(clinic.desk, patient), phone="139 8765 4321"))
    assert stored_terms(clinic, patient) == patient_terms("张三", "+8613987654321")
    assert found(clinic, "1381") == []
    assert found(clinic, "5678") == []
    assert found(clinic, "zs") == [patient]


def test_an_edit_that_keeps_name_and_phone_keeps_the_terms(clinic: Clinic,
                                                           registry: Registry) -> None:
    patient = registry.add("张三")
    before = rows(clinic.desk, "SELECT id, term FROM patient_search_terms ORDER BY id")
    update_patient(clinic.desk, clinic.receptionist, patient,
                   replace(patient_form(clinic.desk, patient), address="88 Caoxi Road"))
    assert rows(clinic.desk, "SELECT id, term FROM patient_search_terms ORDER BY id") == before


# --- limits ----------------------------------------------------------------------------------

def test_the_limit_is_respected(clinic: Clinic, registry: Registry) -> None:
    patients = [registry.add(name) for name in ("张一", "张二", "张三", "张四", "张五")]
    assert len(found(clinic, "zhang")) == 5
    assert len(found(clinic, "zhang", limit=3)) == 3
    assert set(found(clinic, "zhang", limit=3)) <= set(patients)
    assert len(found(clinic, "139", limit=2)) == 2
    assert len(found(clinic, "0000", limit=4)) == 4  # record numbers


def test_the_limit_counts_patients_not_search_terms(clinic: Clinic,
                                                    registry: Registry) -> None:
    """Names with several readings have many terms sharing a prefix; the limit is patients."""
    patients = [registry.add(name) for name in ("曾强乐", "曾长乐", "曾重乐", "曾乐乐")]
    assert len(found(clinic, "z", limit=3)) == 3
    assert sorted(found(clinic, "z", limit=10)) == patients


def test_a_patient_with_many_readings_does_not_hide_the_next_one(clinic: Clinic,
                                                                 registry: Registry) -> None:
    many = registry.add("单单单单单单单单单")  # nine tails starting 单, all sorting before 单龙
    other = registry.add("单龙")
    assert len([t for t in stored_terms(clinic, many) if t.startswith("单")]) == 9
    assert found(clinic, "单", limit=2) == [many, other]  # past the first batch of 8 rows


@pytest.mark.parametrize("text", ["", "   ", "\t\n"])
def test_an_empty_query_finds_nothing(clinic: Clinic, registry: Registry, text: str) -> None:
    registry.add("张三")
    assert found(clinic, text) == []


@pytest.mark.parametrize("typed", ["+86 138-1234-5678", "138-1234", "(138) 1234 5678"])
def test_a_phone_typed_with_punctuation_is_found(clinic: Clinic, registry: Registry,
                                                 typed: str) -> None:
    patient = registry.add("陈华", phone="13812345678")
    assert found(clinic, typed) == [patient]
