"""Shared fixtures: a fresh clinic database file per test, a clock that only moves when told."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from datetime import datetime, timezone  # noqa: E402

import pytest  # noqa: E402

from clinic_desk import i18n  # noqa: E402
from clinic_desk.clinic import open_clinic  # noqa: E402
from clinic_desk.clock import FixedClock  # noqa: E402
from clinic_desk.models import Sex  # noqa: E402
from clinic_desk.services.context import Actor, Desk  # noqa: E402
from clinic_desk.services.setup import FirstStartForm, create_clinic  # noqa: E402

MANAGER_PASSWORD = "secret123"


def first_start_form(**changes: object) -> FirstStartForm:
    values: dict[str, object] = dict(
        clinic_name="康齿口腔", address="上海市徐汇区", phone="021-64388888", currency="CNY",
        language="zh_CN", clinic_kind="dental", manager_name="周主任", manager_staff_number="M01",
        manager_sex=Sex.FEMALE, username="boss", password=MANAGER_PASSWORD,
        password_repeat=MANAGER_PASSWORD)
    values.update(changes)
    return FirstStartForm(**values)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the source language and leaves no language behind."""
    i18n.set_language("en")
    yield
    i18n.set_language("en")


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc))  # 10:00 in Shanghai


@pytest.fixture
def empty_desk(tmp_path, clock) -> Desk:
    desk = open_clinic(tmp_path / "clinic.sqlite3", clock=clock)
    yield desk
    desk.db.dispose()


@pytest.fixture
def manager(empty_desk: Desk) -> Actor:
    return create_clinic(empty_desk, first_start_form(language="en"))


@pytest.fixture
def desk(empty_desk: Desk, manager: Actor) -> Desk:
    """A clinic that has been set up, with `manager` as its manager."""
    return empty_desk
