"""Small helpers shared by the service tests (no Qt anywhere)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from clinic_desk.models import Role, Sex
from clinic_desk.services.context import Desk
from clinic_desk.services.errors import PermissionDenied, ValidationError
from clinic_desk.services.patients import PatientForm, register_patient
from clinic_desk.services.staff import Shift, StaffForm, add_staff

from tests.clinics import Clinic

Dump = dict[str, list[tuple[Any, ...]]]


def file_of(desk: Desk) -> Path:
    path = desk.db.file_path
    assert path is not None, "these tests run on a SQLite file"
    return path


@contextmanager
def raw_connection(target: Desk | Path) -> Iterator[sqlite3.Connection]:
    """A plain sqlite3 connection in autocommit mode: someone with the file and a SQL tool."""
    path = file_of(target) if isinstance(target, Desk) else target
    connection = sqlite3.connect(path, isolation_level=None, timeout=5)
    try:
        yield connection
    finally:
        connection.close()


def dump(target: Desk | Path) -> Dump:
    """Every row of every table, in a stable order: the whole state of the clinic file."""
    with raw_connection(target) as connection:
        tables = [name for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name")]
        return {table: connection.execute(f'SELECT * FROM "{table}" ORDER BY 1').fetchall()
                for table in tables}


def rows(desk: Desk, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with raw_connection(desk) as connection:
        return connection.execute(sql, params).fetchall()


def audit_actions(desk: Desk) -> list[str]:
    return [action for (action,) in rows(desk, "SELECT action FROM audit_entries ORDER BY id")]


@dataclass(frozen=True)
class AuditRecord:
    action: str
    actor_id: int | None
    entity: str
    entity_id: int | None
    details: dict[str, Any]


def last_audit_entry(desk: Desk) -> AuditRecord:
    (action, actor_id, entity, entity_id, details), = rows(
        desk, "SELECT action, actor_id, entity, entity_id, details FROM audit_entries "
              "ORDER BY id DESC LIMIT 1")
    return AuditRecord(action, actor_id, entity, entity_id, json.loads(details))


def expect_field_error(desk: Desk, field: str, action: Callable[[], object]) -> ValidationError:
    """`action` must fail on `field` and leave every table of the file as it was."""
    before = dump(desk)
    with pytest.raises(ValidationError) as info:
        action()
    assert field in info.value.errors, info.value.errors
    assert info.value.errors[field]
    assert dump(desk) == before
    return info.value


def expect_denied(desk: Desk, action: Callable[[], object]) -> None:
    before = dump(desk)
    with pytest.raises(PermissionDenied):
        action()
    assert dump(desk) == before


# --- doctors, patients and local times (check-in and queue tests) -----------------------------

MONDAY, TUESDAY = 0, 1
TODAY = date(2026, 3, 2)  # Monday, 10:00 in Shanghai at tests.clinics.START


def at(hour: int, minute: int = 0, day: date = TODAY) -> datetime:
    """A local Shanghai time as an aware UTC instant."""
    return datetime(day.year, day.month, day.day, hour, minute,
                    tzinfo=timezone(timedelta(hours=8))).astimezone(timezone.utc)


def add_doctor(clinic: Clinic, number: str, name: str, sex: Sex,
               *shifts: tuple[int, str, str]) -> int:
    """A doctor with weekly hours: (weekday, "08:00", "12:00") per shift."""
    return add_staff(clinic.desk, clinic.manager, StaffForm(
        staff_number=number, full_name=name, sex=sex, roles=frozenset({Role.DOCTOR}),
        shifts=tuple(Shift(day, time.fromisoformat(start), time.fromisoformat(end))
                     for day, start, end in shifts)))


class Patients:
    """Registers patients with distinct phone numbers."""

    def __init__(self, clinic: Clinic) -> None:
        self.clinic = clinic
        self.count = 0

    def add(self, name: str = "张三", **changes: Any) -> int:
        self.count += 1
        return register_patient(self.clinic.desk, self.clinic.receptionist, PatientForm(
            name=name, sex=Sex.MALE, birth_date=date(1980, 1, 1),
            phone=f"139 0000 {self.count:04d}", **changes))


def kind_id(clinic: Clinic, code: str) -> int:
    return rows(clinic.desk, "SELECT id FROM visit_kinds WHERE code = ?", code)[0][0]
