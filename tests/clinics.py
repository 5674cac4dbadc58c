"""Test clinics: a fresh SQLite file per test, a fixed clock, a set-up clinic.

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
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from clinic_desk.clinic import open_clinic
from clinic_desk.clock import FixedClock
from clinic_desk.models import Sex
from clinic_desk.services.context import Actor, Desk
from clinic_desk.services.setup import FirstStartForm

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
class ClinicTemplate:
    """A clinic file built once, copied for each test, and the actors it holds."""

    path: Path
    manager: Actor
    receptionist: Actor
    cashier: Actor


def close_for_copying(desk: Desk) -> None:
    """Dispose of the engine and fold the WAL into the file so a plain copy is complete."""
    path = desk.db.file_path
    desk.db.dispose()
    assert path is not None
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()


def copy_template(template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "clinic.sqlite3"
    shutil.copyfile(template, path)
    return path


@contextmanager
def clinic_copy(template: ClinicTemplate, tmp_path: Path, clock: FixedClock) -> Iterator[Clinic]:
    path = copy_template(template.path, tmp_path)
    desk = open_clinic(path, clock=clock)
    try:
        yield Clinic(desk=desk, clock=clock, path=path, manager=template.manager,
                     receptionist=template.receptionist, cashier=template.cashier)
    finally:
        desk.db.dispose()


