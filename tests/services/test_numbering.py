"""Gap-free numbers: a number taken by an action that fails is given back."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.exc import IntegrityError

from clinic_desk.models import Sex
from clinic_desk.services.context import Desk
from clinic_desk.services.numbering import take_next
from clinic_desk.services.patients import PatientForm, register_patient

from tests.clinics import Clinic
from .helpers import rows


class ActionFailed(Exception):
    pass


def counter(desk: Desk, series: str) -> int | None:
    found = rows(desk, "SELECT last_value FROM counters WHERE name = ?", series)
    return found[0][0] if found else None


def take_and_fail(desk: Desk, series: str) -> int:
    with pytest.raises(ActionFailed), desk.db.write() as session:
        taken = take_next(session, series)
        raise ActionFailed
    return taken


def take(desk: Desk, series: str) -> int:
    with desk.db.write() as session:
        return take_next(session, series)


def test_numbers_are_consecutive_per_series(desk: Desk) -> None:
    assert [take(desk, "receipt") for _ in range(3)] == [1, 2, 3]
    assert take(desk, "refund") == 1
    assert (counter(desk, "receipt"), counter(desk, "refund")) == (3, 1)


def test_a_failed_action_gives_its_number_back(desk: Desk) -> None:
    assert take(desk, "receipt") == 1
    assert take_and_fail(desk, "receipt") == 2
    assert counter(desk, "receipt") == 1
    assert take(desk, "receipt") == 2
    assert counter(desk, "receipt") == 2


def test_a_failed_first_number_leaves_no_counter_behind(desk: Desk) -> None:
    assert take_and_fail(desk, "closing") == 1
    assert counter(desk, "closing") is None
    assert take(desk, "closing") == 1


def test_a_registration_that_fails_after_taking_its_number_leaves_no_gap(clinic: Clinic) -> None:
    def register(**changes: object) -> int:
        form = PatientForm(**{"name": "王芳", "sex": Sex.FEMALE, "birth_date": date(1990, 1, 1),
                              "phone": "13812345678", **changes})  # type: ignore[arg-type]
        return register_patient(clinic.desk, clinic.receptionist, form, allow_duplicate=True)

    register()
    with pytest.raises(IntegrityError):
        register(referral_source_id=9999)  # fails at the database, after take_next
    register()
    assert rows(clinic.desk, "SELECT record_number FROM patients ORDER BY id") == [
        ("000001",), ("000002",)]
