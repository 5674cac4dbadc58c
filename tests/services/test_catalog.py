"""The clinic's lists: price list items, visit kinds and payment methods."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from clinic_desk.models import PaymentKind
from clinic_desk.services import catalog
from clinic_desk.services.catalog import PriceItemForm
from clinic_desk.services.settings import get_settings, save_settings

from tests.clinics import Clinic
from .helpers import expect_denied, expect_field_error, last_audit_entry, rows


@pytest.fixture
def category_id(clinic: Clinic) -> int:
    return catalog.list_categories(clinic.desk)[0].id


@pytest.fixture
def existing_item(clinic: Clinic, category_id: int) -> int:
    return catalog.save_price_item(clinic.desk, clinic.manager, None, PriceItemForm(
        code="ZL01", name="洁牙", category_id=category_id, price_text="200"))


def price_form(category_id: int | None, **changes: object) -> PriceItemForm:
    form = PriceItemForm(code="ZL02", name="树脂补牙", category_id=category_id,
                         price_text="300.00", unit="颗")
    return replace(form, **changes)  # type: ignore[arg-type]


def stored_item(clinic: Clinic, item_id: int) -> tuple[str, str, int, str]:
    return rows(clinic.desk, "SELECT code, name, price, unit FROM price_list_items WHERE id = ?",
                item_id)[0]


def test_a_price_is_stored_in_minor_units(clinic: Clinic, category_id: int) -> None:
    item_id = catalog.save_price_item(clinic.desk, clinic.manager, None,
                                      price_form(category_id, code=" JC01 ", price_text="12.50"))
    assert stored_item(clinic, item_id) == ("JC01", "树脂补牙", 1250, "颗")
    listed = next(i for i in catalog.list_price_items(clinic.desk) if i.id == item_id)
    assert (listed.price, listed.category_id) == (1250, category_id)
    entry = last_audit_entry(clinic.desk)
    assert (entry.action, entry.entity_id) == ("price_list_item_added", item_id)
    assert entry.details["price"] == 1250


def test_changing_a_price_audits_old_and_new(clinic: Clinic, category_id: int,
                                             existing_item: int) -> None:
    form = PriceItemForm(code="ZL01", name="洁牙", category_id=category_id, price_text="¥250")
    saved = catalog.save_price_item(clinic.desk, clinic.manager, existing_item, form)
    assert saved == existing_item
    assert stored_item(clinic, existing_item)[2] == 25000
    entry = last_audit_entry(clinic.desk)
    assert (entry.action, entry.details) == ("price_list_item_changed", {"price": [20000, 25000]})


@pytest.mark.parametrize(("changes", "field"), [
    ({"price_text": "-1"}, "price"),
    ({"price_text": "abc"}, "price"),
    ({"price_text": ""}, "price"),
    ({"price_text": "12.345"}, "price"),
    ({"price_text": "NaN"}, "price"),
    ({"name": ""}, "name"),
    ({"name": "   "}, "name"),
    ({"name": "x" * 101}, "name"),
    ({"code": ""}, "code"),
    ({"code": "C" * 31}, "code"),
    ({"code": "ZL01"}, "code"),
    ({"code": " zl01 "}, "code"),
    ({"unit": "u" * 21}, "unit"),
    ({"category_id": None}, "category"),
    ({"category_id": 9999}, "category"),
], ids=lambda value: value if isinstance(value, str) else None)
def test_bad_price_items_name_their_field_and_write_nothing(
        clinic: Clinic, category_id: int, existing_item: int, changes: dict[str, object],
        field: str) -> None:
    form = price_form(**{"category_id": category_id, **changes})  # type: ignore[arg-type]
    expect_field_error(clinic.desk, field,
                       lambda: catalog.save_price_item(clinic.desk, clinic.manager, None, form))


def test_prices_follow_the_clinics_currency(clinic: Clinic, category_id: int) -> None:
    save_settings(clinic.desk, clinic.manager, replace(get_settings(clinic.desk), currency="JPY"))
    expect_field_error(clinic.desk, "price", lambda: catalog.save_price_item(
        clinic.desk, clinic.manager, None, price_form(category_id, price_text="12.5")))
    item_id = catalog.save_price_item(clinic.desk, clinic.manager, None,
                                      price_form(category_id, price_text="1200"))
    assert stored_item(clinic, item_id)[2] == 1200


# --- visit kinds -----------------------------------------------------------------------------

def test_a_visit_kind_is_added(clinic: Clinic) -> None:
    kind_id = catalog.save_visit_kind(clinic.desk, clinic.manager, None, "implant", "种植", 4, 60)
    kind = next(k for k in catalog.list_visit_kinds(clinic.desk) if k.id == kind_id)
    assert (kind.code, kind.name, kind.default_units, kind.average_minutes) == (
        "implant", "种植", 4, 60)


@pytest.mark.parametrize(("code", "units", "minutes", "field"), [
    ("implant", 0, 60, "default_units"),
    ("implant", 33, 60, "default_units"),
    ("implant", 4, 0, "average_minutes"),
    ("implant", 4, 481, "average_minutes"),
    ("", 4, 60, "code"),
    ("FIRST", 1, 30, "code"),  # the seeded "first" visit kind
])
def test_bad_visit_kinds_name_their_field_and_write_nothing(clinic: Clinic, code: str, units: int,
                                                            minutes: int, field: str) -> None:
    expect_field_error(clinic.desk, field, lambda: catalog.save_visit_kind(
        clinic.desk, clinic.manager, None, code, "种植", units, minutes))


# --- payment methods -------------------------------------------------------------------------

def test_a_payment_method_is_added(clinic: Clinic) -> None:
    method_id = catalog.save_payment_method(clinic.desk, clinic.manager, None, "UnionPay QR",
                                            PaymentKind.OTHER, False, True)
    method = next(m for m in catalog.list_payment_methods(clinic.desk) if m.id == method_id)
    assert (method.name, method.kind, method.needs_reference) == ("UnionPay QR",
                                                                  PaymentKind.OTHER, True)


@pytest.mark.parametrize("spelling", [str, str.upper, lambda name: f"  {name} "],
                         ids=["same", "upper", "padded"])
def test_a_payment_method_name_is_used_only_once(clinic: Clinic,
                                                 spelling: Callable[[str], str]) -> None:
    existing = catalog.list_payment_methods(clinic.desk)[0].name
    expect_field_error(clinic.desk, "name", lambda: catalog.save_payment_method(
        clinic.desk, clinic.manager, None, spelling(existing), PaymentKind.CASH, False, False))


def test_renaming_a_payment_method_to_its_own_name_is_not_a_duplicate(clinic: Clinic) -> None:
    method = catalog.list_payment_methods(clinic.desk)[0]
    catalog.save_payment_method(clinic.desk, clinic.manager, method.id, method.name, method.kind,
                                method.needs_card_digits, method.needs_reference, active=False)
    assert not catalog.list_payment_methods(clinic.desk)[0].active


def test_a_flagged_condition_is_added_with_its_colour(clinic: Clinic) -> None:
    kind_id = catalog.save_condition_kind(clinic.desk, clinic.manager, None, "青霉素过敏",
                                          "#aa00ff")
    added = [k for k in catalog.list_condition_kinds(clinic.desk) if k.id == kind_id]
    assert [(k.name, k.colour, k.active) for k in added] == [("青霉素过敏", "#aa00ff", True)]
    assert last_audit_entry(clinic.desk).action == "condition_kind_added"


@pytest.mark.parametrize(("name", "colour", "field"), [
    ("  ", "#aa00ff", "name"), ("Allergy", "#aa00ff", "name"), ("心脏病", "red", "colour"),
    ("心脏病", "#12345", "colour"),
])
def test_bad_flagged_conditions_name_their_field_and_write_nothing(
        clinic: Clinic, name: str, colour: str, field: str) -> None:
    existing = catalog.list_condition_kinds(clinic.desk)[0].name  # "Allergy" in English
    name = existing if name == "Allergy" else name
    expect_field_error(clinic.desk, field, lambda: catalog.save_condition_kind(
        clinic.desk, clinic.manager, None, name, colour))


def test_inactive_lists_are_not_offered_at_registration(clinic: Clinic) -> None:
    source = catalog.list_referral_sources(clinic.desk)[0]
    catalog.save_referral_source(clinic.desk, clinic.manager, source.id, source.name,
                                 active=False)
    offered = catalog.list_referral_sources(clinic.desk, active_only=True)
    assert source.id not in [s.id for s in offered]
    assert source.id in [s.id for s in catalog.list_referral_sources(clinic.desk)]
    expect_field_error(clinic.desk, "name", lambda: catalog.save_referral_source(
        clinic.desk, clinic.manager, None, offered[0].name))


def test_refund_reasons_are_the_clinics_own_list(clinic: Clinic) -> None:
    seeded = catalog.list_refund_reasons(clinic.desk)
    assert [r.name for r in seeded] == ["未进行治疗", "收费错误", "患者投诉", "其他"]
    added = catalog.save_refund_reason(clinic.desk, clinic.manager, None, " 设备故障 ")
    assert last_audit_entry(clinic.desk).action == "refund_reason_added"
    catalog.save_refund_reason(clinic.desk, clinic.manager, seeded[0].id, seeded[0].name,
                               active=False)
    offered = [r.name for r in catalog.list_refund_reasons(clinic.desk, active_only=True)]
    assert offered == ["收费错误", "患者投诉", "其他", "设备故障"]
    assert added in [r.id for r in catalog.list_refund_reasons(clinic.desk)]
    expect_field_error(clinic.desk, "name", lambda: catalog.save_refund_reason(
        clinic.desk, clinic.manager, None, "其他"))
    expect_field_error(clinic.desk, "name", lambda: catalog.save_refund_reason(
        clinic.desk, clinic.manager, None, "  "))
    expect_denied(clinic.desk, lambda: catalog.save_refund_reason(
        clinic.desk, clinic.cashier, None, "退押金"))
