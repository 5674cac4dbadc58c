"""The clinic's settings: stored in the database, validated field by field, audited."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, time

import pytest

from clinic_desk.services.calendar import day_view
from clinic_desk.services.context import Desk
from clinic_desk.services.settings import ClinicSettings, get_settings, save_settings

from tests.clinics import Clinic
from .helpers import dump, expect_field_error, last_audit_entry, rows


def stored(clinic: Clinic) -> dict[str, object]:
    return {key: json.loads(value)
            for key, value in rows(clinic.desk, "SELECT key, value FROM settings")}


def test_settings_are_saved_and_read_back(clinic: Clinic) -> None:
    old = get_settings(clinic.desk)
    new = replace(old, clinic_name="  Harbour Eye Centre ", currency="HKD", language="zh_TW",
                  timezone="Asia/Hong_Kong", record_number_format="HK{n:05d}",
                  wait_alert_first_minutes=10, wait_alert_second_minutes=25,
                  discount_limit_percent=20)

    changed = save_settings(clinic.desk, clinic.manager, new)

    expected = replace(new, clinic_name="Harbour Eye Centre")
    assert get_settings(clinic.desk) == expected
    assert changed["clinic_name"] == [old.clinic_name, "Harbour Eye Centre"]
    assert set(changed) == {"clinic_name", "currency", "language", "timezone",
                            "record_number_format", "wait_alert_first_minutes",
                            "wait_alert_second_minutes", "discount_limit_percent"}
    assert {k: v for k, v in stored(clinic).items() if k in changed} == {
        key: getattr(expected, key) for key in changed}
    entry = last_audit_entry(clinic.desk)
    assert (entry.action, entry.actor_id) == ("settings_changed", clinic.manager.staff_id)
    assert entry.details == changed


def test_saving_unchanged_settings_writes_nothing(clinic: Clinic) -> None:
    before = dump(clinic.desk)
    assert save_settings(clinic.desk, clinic.manager, get_settings(clinic.desk)) == {}
    assert dump(clinic.desk) == before


@pytest.mark.parametrize(("changes", "field"), [
    ({"clinic_name": ""}, "clinic_name"),
    ({"clinic_name": "   "}, "clinic_name"),
    ({"address": "x" * 201}, "address"),
    ({"currency": "XYZ"}, "currency"),
    ({"currency": "yuan"}, "currency"),
    ({"language": "fr"}, "language"),
    ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
    ({"timezone": "../../etc/passwd"}, "timezone"),
    ({"record_number_format": "P-000"}, "record_number_format"),
    ({"record_number_format": "{x:06d}"}, "record_number_format"),
    ({"record_number_format": "{n:06d"}, "record_number_format"),
    ({"record_number_format": "{n:s}"}, "record_number_format"),
    ({"wait_alert_first_minutes": 20, "wait_alert_second_minutes": 20},
     "wait_alert_second_minutes"),
    ({"wait_alert_first_minutes": 30, "wait_alert_second_minutes": 20},
     "wait_alert_second_minutes"),
    ({"wait_alert_first_minutes": 0}, "wait_alert_first_minutes"),
    ({"wait_alert_second_minutes": 241}, "wait_alert_second_minutes"),
    ({"discount_limit_percent": 101}, "discount_limit_percent"),
    ({"discount_limit_percent": -1}, "discount_limit_percent"),
    ({"opens_at": "08:10"}, "opens_at"),  # not on the quarter hour
    ({"opens_at": "8 am"}, "opens_at"),
    ({"closes_at": "20:00:30"}, "closes_at"),
    ({"closes_at": "24:00"}, "closes_at"),
    ({"opens_at": "09:00", "closes_at": "09:00"}, "closes_at"),
    ({"opens_at": "18:00", "closes_at": "08:00"}, "closes_at"),
], ids=lambda value: value if isinstance(value, str) else None)
def test_bad_settings_name_their_field_and_write_nothing(clinic: Clinic, changes: dict[str, object],
                                                         field: str) -> None:
    new = replace(get_settings(clinic.desk), **changes)  # type: ignore[arg-type]
    error = expect_field_error(clinic.desk, field,
                               lambda: save_settings(clinic.desk, clinic.manager, new))
    assert set(error.errors) == {field}


def test_the_calendar_follows_the_opening_hours_and_columns_set(clinic: Clinic) -> None:
    monday = date(2026, 3, 2)
    assert [c.key for c in day_view(clinic.desk, monday).columns] == []  # no doctors yet
    new = replace(get_settings(clinic.desk), opens_at="07:30", closes_at="21:15",
                  calendar_by_chair=True)

    changed = save_settings(clinic.desk, clinic.manager, new)

    assert changed == {"opens_at": ["08:00", "07:30"], "closes_at": ["20:00", "21:15"],
                       "calendar_by_chair": [False, True]}
    assert last_audit_entry(clinic.desk).details == changed
    day = day_view(clinic.desk, monday)
    assert (day.opens.time(), day.closes.time(), day.rows) == (time(7, 30), time(21, 15), 55)
    rooms = [row[0] for row in rows(clinic.desk, "SELECT id FROM rooms ORDER BY sort_order")]
    assert [c.key for c in day.columns] == rooms and rooms


def test_defaults_apply_until_a_setting_is_stored(new_desk: Desk) -> None:
    assert get_settings(new_desk) == ClinicSettings()
    assert ClinicSettings().currency == "CNY" and ClinicSettings().timezone == "Asia/Shanghai"
