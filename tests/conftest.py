"""Shared fixtures (see `tests/clinics.py`): every test gets its own clinic file and clock."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from clinic_desk import i18n  # noqa: E402
from clinic_desk.clinic import open_clinic  # noqa: E402
from clinic_desk.clock import FixedClock  # noqa: E402
from clinic_desk.models import Role, Sex  # noqa: E402
from clinic_desk.services.context import Actor, Desk  # noqa: E402
from clinic_desk.services.setup import create_clinic  # noqa: E402
from clinic_desk.services.staff import StaffForm, add_staff  # noqa: E402
from tests.clinics import (CASHIER_LOGIN, RECEPTIONIST_LOGIN, START, Clinic,  # noqa: E402
                           ClinicTemplate, copy_template, clinic_copy, close_for_copying,
                           first_start_form)


@pytest.fixture(autouse=True)
def _source_language() -> Iterator[None]:
    """Every test starts in the source language and leaves no language behind."""
    i18n.set_language("en")
    yield
    i18n.set_language("en")


@pytest.fixture(scope="session")
def empty_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template-empty") / "clinic.sqlite3"
    close_for_copying(open_clinic(path, clock=FixedClock(START)))
    return path


@pytest.fixture(scope="session")
def clinic_template(tmp_path_factory: pytest.TempPathFactory) -> ClinicTemplate:
    path = tmp_path_factory.mktemp("template-clinic") / "clinic.sqlite3"
    desk = open_clinic(path, clock=FixedClock(START))
    manager = create_clinic(desk, first_start_form())
    staff_ids = {
        role: add_staff(desk, manager, StaffForm(
            staff_number=number, full_name=name, sex=Sex.FEMALE, roles=frozenset({role}),
            username=login[0], password=login[1]))
        for role, number, name, login in (
            (Role.RECEPTIONIST, "R01", "Zhao Xiaoyu", RECEPTIONIST_LOGIN),
            (Role.CASHIER, "C01", "Sun Meiling", CASHIER_LOGIN))
    }
    close_for_copying(desk)
    return ClinicTemplate(
        path=path, manager=manager,
        receptionist=Actor(staff_ids[Role.RECEPTIONIST], "Zhao Xiaoyu",
                           frozenset({Role.RECEPTIONIST})),
        cashier=Actor(staff_ids[Role.CASHIER], "Sun Meiling", frozenset({Role.CASHIER})))


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def new_desk(tmp_path: Path, clock: FixedClock, empty_template: Path) -> Iterator[Desk]:
    """A migrated clinic file on which nobody has run the first start yet."""
    desk = open_clinic(copy_template(empty_template, tmp_path), clock=clock)
    yield desk
    desk.db.dispose()


@pytest.fixture
def clinic(tmp_path: Path, clock: FixedClock, clinic_template: ClinicTemplate) -> Iterator[Clinic]:
    """A set-up dental clinic: its manager, one receptionist and one cashier."""
    with clinic_copy(clinic_template, tmp_path, clock) as clinic:
        yield clinic


@pytest.fixture
def desk(clinic: Clinic) -> Desk:
    return clinic.desk


@pytest.fixture
def manager(clinic: Clinic) -> Actor:
    return clinic.manager
