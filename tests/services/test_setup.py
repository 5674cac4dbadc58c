"""First start: the clinic, its manager and its starting lists; and the demo clinic."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from clinic_desk.demo import DEMO_MANAGER, DEMO_PATIENTS, populate_demo
from clinic_desk.models import QueueState, Role
from clinic_desk.services import catalog, queue
from clinic_desk.services.audit_report import verify_audit_log
from clinic_desk.services.auth import log_in
from clinic_desk.services.bills import waiting_to_pay
from clinic_desk.services.context import Desk
from clinic_desk.services.errors import Conflict, ValidationError
from clinic_desk.services.settings import get_settings
from clinic_desk.services.setup import create_clinic, needs_first_start
from clinic_desk.services.staff import list_staff

from tests.clinics import MANAGER_LOGIN, first_start_form
from .helpers import audit_actions, dump, expect_field_error, rows

HANZI_NAME = re.compile(r"[\u4e00-\u9fff]{2,4}")


def count(desk: Desk, table: str) -> int:
    return rows(desk, f"SELECT count(*) FROM {table}")[0][0]


def test_a_new_file_needs_the_first_start(new_desk: Desk) -> None:
    assert needs_first_start(new_desk)


def test_the_first_start_sets_up_the_clinic(new_desk: Desk) -> None:
    manager = create_clinic(new_desk, first_start_form(clinic_name="  Bright Smile  "))

    assert not needs_first_start(new_desk)
    assert manager.roles == frozenset({Role.MANAGER})
    assert log_in(new_desk, *MANAGER_LOGIN) == manager
    assert rows(new_desk, "SELECT staff_number, language FROM staff") == [("M01", "zh_CN")]
    settings = get_settings(new_desk)
    assert (settings.clinic_name, settings.currency, settings.language) == (
        "Bright Smile", "CNY", "zh_CN")
    assert {table: count(new_desk, table) for table in (
        "price_categories", "visit_kinds", "payment_methods", "condition_kinds", "refund_reasons",
        "cash_stations", "stations", "rooms")} == {
        "price_categories": 5, "visit_kinds": 5, "payment_methods": 4, "condition_kinds": 5,
        "refund_reasons": 4, "cash_stations": 1, "stations": 1, "rooms": 3}
    assert audit_actions(new_desk) == ["staff_added", "settings_changed", "clinic_created", "login"]
    assert verify_audit_log(new_desk).ok


def test_an_eye_clinic_gets_its_own_visit_kinds_and_stations(new_desk: Desk) -> None:
    create_clinic(new_desk, first_start_form(clinic_kind="eye"))
    codes = {kind.code for kind in catalog.list_visit_kinds(new_desk)}
    assert {"refraction", "glaucoma", "cataract"} <= codes and "ortho" not in codes
    assert count(new_desk, "stations") == 3


def test_the_starting_lists_are_in_the_clinics_language(new_desk: Desk) -> None:
    create_clinic(new_desk, first_start_form(language="zh_CN"))
    names = {method.name for method in catalog.list_payment_methods(new_desk)}
    assert "现金" in names and "Cash" not in names


@pytest.mark.parametrize(("changes", "field"), [
    ({"password_repeat": "something-else"}, "password_repeat"),
    ({"password": "12345", "password_repeat": "12345"}, "password"),
    ({"clinic_name": "  "}, "clinic_name"),
    ({"currency": "ABC"}, "currency"),
    ({"clinic_kind": "veterinary"}, "clinic_kind"),
    ({"manager_name": ""}, "full_name"),
    ({"username": ""}, "username"),
], ids=lambda value: value if isinstance(value, str) else None)
def test_a_bad_first_start_writes_nothing(new_desk: Desk, changes: dict[str, object],
                                          field: str) -> None:
    expect_field_error(new_desk, field,
                       lambda: create_clinic(new_desk, first_start_form(**changes)))
    assert needs_first_start(new_desk)


def test_every_wrong_field_of_the_first_start_is_reported_at_once(new_desk: Desk) -> None:
    with pytest.raises(ValidationError) as info:
        create_clinic(new_desk, first_start_form(clinic_name="", password="123",
                                                 password_repeat="321"))
    assert {"clinic_name", "password", "password_repeat"} <= set(info.value.errors)


def test_a_second_first_start_is_refused(new_desk: Desk) -> None:
    create_clinic(new_desk, first_start_form())
    before = dump(new_desk)
    with pytest.raises(Conflict):
        create_clinic(new_desk, first_start_form(username="other", manager_staff_number="M02"))
    assert dump(new_desk) == before


def test_the_demo_clinic_is_believable_and_audited(new_desk: Desk) -> None:
    manager = populate_demo(new_desk)

    doctors = [row for row in list_staff(new_desk) if Role.DOCTOR in row.roles]
    assert len(doctors) == 4 and all(doctor.shifts for doctor in doctors)
    assert get_settings(new_desk).currency == "CNY"
    items = catalog.list_price_items(new_desk)
    assert len(items) >= 15 and all(item.price > 0 for item in items)
    assert {item.code: item.price for item in items}["JC01"] == 5000  # 50.00 yuan
    names = [name for (name,) in rows(new_desk, "SELECT name FROM patients")]
    assert len(names) == DEMO_PATIENTS == 300
    assert all(HANZI_NAME.fullmatch(name) for name in names), names
    numbers = [n for (n,) in rows(new_desk, "SELECT record_number FROM patients ORDER BY id")]
    assert numbers == [f"{n:06d}" for n in range(1, 301)]
    report = verify_audit_log(new_desk, manager)
    assert report.ok and report.entries_checked > 300
    assert log_in(new_desk, *DEMO_MANAGER) == manager


def test_the_demo_opens_on_a_day_in_progress(new_desk: Desk) -> None:
    populate_demo(new_desk)
    states = Counter(row.state for row in queue.queue_snapshot(new_desk).rows)
    assert states[QueueState.WAITING] >= 1 and states[QueueState.CALLED] == 1, states
    owing = waiting_to_pay(new_desk)
    assert owing and all(visit.visit_total > 0 and visit.due > 0 for visit in owing)
    [(receipts,)] = rows(new_desk, "SELECT count(*) FROM receipts")
    assert receipts >= len(owing)
