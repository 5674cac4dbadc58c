"""Fixtures for the service tests: a fresh SQLite file per test, a fixed clock, a set-up clinic.

Migrating a new file and hashing passwords cost ~0.25 s per clinic, so each kind of clinic
is built once per session through the real code (`open_clinic`, `create_clinic`,
`add_staff`) and every test gets its own copy of that file, opened with `open_clinic`.
The migration and first start themselves are tested on brand-new files in
`test_migrations.py` and `test_setup.py`.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pytest

from clinic_desk.clinic import open_clinic
from clinic_desk.clock import FixedClock
from clinic_desk.models import Role, Sex
from clinic_desk.services.context import Actor, Desk
from clinic_desk.services.setup import FirstStartForm, create_clinic
from clinic_desk.services.staff import StaffForm, add_staff

#: Monday 2 March 2026, 10:00 in Shanghai (the clinic's default time zone).
START = datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc)

MANAGER_LOGIN = ("boss", "manager-pw")
RECEPTIONIST_LOGIN = ("front", "reception-pw")
CASHIER_LOGIN = ("till", "cashier-pw")


def first_start_form(**changes: object) -> FirstStartForm:
    values: dict[str, object] = dict(
        clinic_name="Bright Smile Dental", address="88 Caoxi Road", phone="021-64388888",
        currency="CNY", language="zh_CN", clinic_kind="dental", manager_name="Zhou Min",
        manager_staff_number="M01", manager_sex=Sex.FEMALE, username=MANAGER_LOGIN[0],
        password=MANAGER_LOGIN[1], password_repeat=MANAGER_LOGIN[1])
    values.update(changes)
    return FirstStartForm(**values)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Clinic:
    desk: Desk
    clock: FixedClock
    path: Path
    manager: Actor
    receptionist: Actor
    cashier: Actor


@dataclass(frozen=True)
class _Template:
    path: Path
    manager: Actor
    receptionist: Actor
    cashier: Actor


def _close(desk: Desk) -> None:
    """Dispose of the engine and fold the WAL into the file so a plain copy is complete."""
    path = desk.db.file_path
    desk.db.dispose()
    assert path is not None
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()


def _copy(template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "clinic.sqlite3"
    shutil.copyfile(template, path)
    return path


@pytest.fixture(scope="session")
def empty_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template-empty") / "clinic.sqlite3"
    _close(open_clinic(path, clock=FixedClock(START)))
    return path


@pytest.fixture(scope="session")
def clinic_template(tmp_path_factory: pytest.TempPathFactory) -> _Template:
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
    _close(desk)
    return _Template(
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
    desk = open_clinic(_copy(empty_template, tmp_path), clock=clock)
    yield desk
    desk.db.dispose()


@pytest.fixture
def clinic(tmp_path: Path, clock: FixedClock, clinic_template: _Template) -> Iterator[Clinic]:
    """A set-up dental clinic: its manager, one receptionist and one cashier."""
    path = _copy(clinic_template.path, tmp_path)
    desk = open_clinic(path, clock=clock)
    yield Clinic(desk=desk, clock=clock, path=path, manager=clinic_template.manager,
                 receptionist=clinic_template.receptionist, cashier=clinic_template.cashier)
    desk.db.dispose()


@pytest.fixture
def desk(clinic: Clinic) -> Desk:
    return clinic.desk


@pytest.fixture
def manager(clinic: Clinic) -> Actor:
    return clinic.manager
