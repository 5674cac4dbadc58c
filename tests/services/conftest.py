"""Fixtures of the cash-desk tests: a clinic with a price list and doctors, copied per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from clinic_desk.clock import FixedClock
from tests.clinics import START, Clinic, ClinicTemplate
from .calendar_setup import Calendar, build_calendar
from .cash import Till, TillTemplate, build_till_template, till_copy


@pytest.fixture(scope="module")
def till_template(clinic_template: ClinicTemplate,
                  tmp_path_factory: pytest.TempPathFactory) -> TillTemplate:
    return build_till_template(clinic_template, tmp_path_factory.mktemp("till"),
                               FixedClock(START))


@pytest.fixture
def till(till_template: TillTemplate, tmp_path: Path, clock: FixedClock) -> Iterator[Till]:
    with till_copy(till_template, tmp_path, clock) as till:
        yield till


@pytest.fixture
def patient(till: Till) -> int:
    """张三, new at the cash desk."""
    return till.patients.add("张三")


@pytest.fixture
def visit(till: Till, patient: int) -> int:
    """张三 checked in with the first doctor today, nothing charged yet."""
    return till.visit(patient)


@pytest.fixture
def cal(clinic: Clinic) -> Calendar:
    """Two doctors with weekly hours and three patients, for the calendar and call tests."""
    return build_calendar(clinic)
