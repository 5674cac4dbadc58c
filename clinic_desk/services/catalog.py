"""The clinic's lists: price categories and price list, visit kinds, payment methods,
flagged conditions, referral sources and refund reasons.

Entries are never deleted (old charges and visits point at them); they are deactivated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clinic_desk.i18n import gettext as _
from clinic_desk.models import (ConditionKind, PaymentKind, PaymentMethod, PriceCategory,
                                PriceListItem, ReferralSource, RefundReason, VisitKind)
from clinic_desk.models.base import Base
from clinic_desk.money import AmountError, parse_amount
from clinic_desk.services import audit
from clinic_desk.services.auth import Permission, require
from clinic_desk.services.context import Actor, Desk
from clinic_desk.services.errors import FieldErrors, NotFound
from clinic_desk.services.settings import load_settings

MAX_NAME = 100
MAX_CODE = 30

M = TypeVar("M", bound=Base)


def _check_name(errors: FieldErrors, name: str, field: str = "name") -> None:
    if not name:
        errors.add(field, _("Enter a name."))
    elif len(name) > MAX_NAME:
        errors.add(field, _("At most {count} characters.").format(count=MAX_NAME))


def _check_unique(session: Session, errors: FieldErrors, model: type[Any], column: str,
                  value: str, item_id: int | None, field: str) -> None:
    attribute = getattr(model, column)
    if session.execute(select(model.id).where(func.lower(attribute) == value.lower(),
                                              model.id != (item_id or 0))).first():
        errors.add(field, _("{value} is already used.").format(value=value))


def _check_unique_name(session: Session, errors: FieldErrors, model: type[Any], name: str,
                       item_id: int | None) -> None:
    """A name the list needs and does not already have."""
    _check_name(errors, name)
    if "name" not in errors:
        _check_unique(session, errors, model, "name", name, item_id, "name")


def _in_order(session: Session, model: type[M], active_only: bool) -> list[M]:
    """A list's entries in the clinic's order; only those in use when asked."""
    query = select(model).order_by(model.sort_order, model.id)  # type: ignore[attr-defined]
    if active_only:
        query = query.where(model.active.is_(True))  # type: ignore[attr-defined]
    return list(session.execute(query).scalars())


def _save(session: Session, desk: Desk, actor: Actor, model: type[M], item_id: int | None,
          values: dict[str, Any], entity: str) -> int:
    """Insert or update one list entry and audit exactly what changed."""
    now = desk.clock.now()
    if item_id is None:
        item = model(**values)
        session.add(item)
        session.flush()
        audit.record(session, now, actor.staff_id, f"{entity}_added", entity, item.id, values)
        return item.id  # type: ignore[attr-defined,no-any-return]
    item = session.get(model, item_id)
    if item is None:
        raise NotFound(_("This entry no longer exists."))
    before = {key: getattr(item, key) for key in values}
    for key, value in values.items():
        setattr(item, key, value)
    changed = audit.changes(before, values)
    if changed:
        audit.record(session, now, actor.staff_id, f"{entity}_changed", entity, item_id, changed)
    return item_id


# --- price categories -------------------------------------------------------------------

@dataclass(frozen=True)
class CategoryRow:
    id: int
    name: str
    sort_order: int
    active: bool


def list_categories(desk: Desk) -> list[CategoryRow]:
    with desk.db.read() as session:
        return [CategoryRow(c.id, c.name, c.sort_order, c.active)
                for c in _in_order(session, PriceCategory, active_only=False)]


def save_category(desk: Desk, actor: Actor, category_id: int | None, name: str,
                  active: bool = True, sort_order: int = 0) -> int:
    require(actor, Permission.MANAGE_SETTINGS)
    name = name.strip()
    with desk.db.write() as session:
        errors = FieldErrors()
        _check_unique_name(session, errors, PriceCategory, name, category_id)
        errors.raise_if_any()
        return _save(session, desk, actor, PriceCategory, category_id,
                     {"name": name, "active": active, "sort_order": sort_order}, "price_category")


# --- price list ---------------------------------------------------------------------------

@dataclass(frozen=True)
class PriceItemForm:
    code: str
    name: str
    category_id: int | None
    price_text: str
    unit: str = ""
    active: bool = True


@dataclass(frozen=True)
class PriceItemRow:
    id: int
    code: str
    name: str
    category_id: int
    category_name: str
    price: int
    unit: str
    active: bool


def list_price_items(desk: Desk) -> list[PriceItemRow]:
    with desk.db.read() as session:
        rows = session.execute(
            select(PriceListItem, PriceCategory.name).join(PriceCategory)
            .order_by(PriceCategory.sort_order, PriceListItem.code)).all()
        return [PriceItemRow(i.id, i.code, i.name, i.category_id, cat, i.price, i.unit, i.active)
                for i, cat in rows]


def save_price_item(desk: Desk, actor: Actor, item_id: int | None, form: PriceItemForm) -> int:
    require(actor, Permission.MANAGE_SETTINGS)
    code, name, unit = form.code.strip(), form.name.strip(), form.unit.strip()
    with desk.db.write() as session:
        errors = FieldErrors()
        if not code:
            errors.add("code", _("Enter a code."))
        elif len(code) > MAX_CODE:
            errors.add("code", _("At most {count} characters.").format(count=MAX_CODE))
        else:
            _check_unique(session, errors, PriceListItem, "code", code, item_id, "code")
        _check_name(errors, name)
        if form.category_id is None or session.get(PriceCategory, form.category_id) is None:
            errors.add("category", _("Choose a category."))
        price = 0
        try:
            price = parse_amount(form.price_text, load_settings(session).currency)
        except AmountError as error:
            errors.add("price", error.message)
        if len(unit) > 20:
            errors.add("unit", _("At most {count} characters.").format(count=20))
        errors.raise_if_any()
        return _save(session, desk, actor, PriceListItem, item_id, {
            "code": code, "name": name, "category_id": form.category_id, "price": price,
            "unit": unit, "active": form.active}, "price_list_item")


# --- visit kinds --------------------------------------------------------------------------

@dataclass(frozen=True)
class VisitKindRow:
    id: int
    code: str
    name: str
    default_units: int
    average_minutes: int
    active: bool


def list_visit_kinds(desk: Desk) -> list[VisitKindRow]:
    with desk.db.read() as session:
        return [VisitKindRow(k.id, k.code, k.name, k.default_units, k.average_minutes, k.active)
                for k in _in_order(session, VisitKind, active_only=False)]


def save_visit_kind(desk: Desk, actor: Actor, kind_id: int | None, code: str, name: str,
                    default_units: int, average_minutes: int, active: bool = True) -> int:
    require(actor, Permission.MANAGE_SETTINGS)
    code, name = code.strip(), name.strip()
    with desk.db.write() as session:
        errors = FieldErrors()
        if not code:
            errors.add("code", _("Enter a code."))
        else:
            _check_unique(session, errors, VisitKind, "code", code, kind_id, "code")
        _check_name(errors, name)
        if not 1 <= default_units <= 32:
            errors.add("default_units", _("Enter between 1 and 32 units of 15 minutes."))
        if not 1 <= average_minutes <= 480:
            errors.add("average_minutes", _("Enter minutes between 1 and 480."))
        errors.raise_if_any()
        return _save(session, desk, actor, VisitKind, kind_id, {
            "code": code, "name": name, "default_units": default_units,
            "average_minutes": average_minutes, "active": active}, "visit_kind")


# --- payment methods ----------------------------------------------------------------------

@dataclass(frozen=True)
class PaymentMethodRow:
    id: int
    name: str
    kind: PaymentKind
    needs_card_digits: bool
    needs_reference: bool
    active: bool


def list_payment_methods(desk: Desk) -> list[PaymentMethodRow]:
    with desk.db.read() as session:
        return [PaymentMethodRow(m.id, m.name, m.kind, m.needs_card_digits, m.needs_reference,
                                 m.active) for m in _in_order(session, PaymentMethod, False)]


def save_payment_method(desk: Desk, actor: Actor, method_id: int | None, name: str,
                        kind: PaymentKind, needs_card_digits: bool, needs_reference: bool,
                        active: bool = True) -> int:
    require(actor, Permission.MANAGE_SETTINGS)
    name = name.strip()
    with desk.db.write() as session:
        errors = FieldErrors()
        _check_unique_name(session, errors, PaymentMethod, name, method_id)
        errors.raise_if_any()
        return _save(session, desk, actor, PaymentMethod, method_id, {
            "name": name, "kind": kind, "needs_card_digits": needs_card_digits,
            "needs_reference": needs_reference, "active": active}, "payment_method")


# --- flagged conditions and referral sources ----------------------------------------------

COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


@dataclass(frozen=True)
class ConditionKindRow:
    id: int
    name: str
    colour: str
    active: bool


def list_condition_kinds(desk: Desk, active_only: bool = False) -> list[ConditionKindRow]:
    with desk.db.read() as session:
        return [ConditionKindRow(k.id, k.name, k.colour, k.active)
                for k in _in_order(session, ConditionKind, active_only)]


def save_condition_kind(desk: Desk, actor: Actor, kind_id: int | None, name: str, colour: str,
                        active: bool = True) -> int:
    """A condition flagged wherever the patient shows (allergy, pregnancy ...) and its colour."""
    require(actor, Permission.MANAGE_SETTINGS)
    name, colour = name.strip(), colour.strip()
    with desk.db.write() as session:
        errors = FieldErrors()
        _check_unique_name(session, errors, ConditionKind, name, kind_id)
        if not COLOUR.fullmatch(colour):
            errors.add("colour", _("Enter a colour such as #d32f2f."))
        errors.raise_if_any()
        return _save(session, desk, actor, ConditionKind, kind_id,
                     {"name": name, "colour": colour, "active": active}, "condition_kind")


@dataclass(frozen=True)
class NamedEntryRow:
    """An entry of a list that is only a name (referral sources, refund reasons)."""

    id: int
    name: str
    active: bool


ReferralSourceRow = RefundReasonRow = NamedEntryRow


def _list_named(desk: Desk, model: type[ReferralSource | RefundReason],
                active_only: bool) -> list[NamedEntryRow]:
    with desk.db.read() as session:
        return [NamedEntryRow(r.id, r.name, r.active)
                for r in _in_order(session, model, active_only)]


def _save_named(desk: Desk, actor: Actor, model: type[ReferralSource | RefundReason],
                item_id: int | None, name: str, active: bool, entity: str) -> int:
    require(actor, Permission.MANAGE_SETTINGS)
    name = name.strip()
    with desk.db.write() as session:
        errors = FieldErrors()
        _check_unique_name(session, errors, model, name, item_id)
        errors.raise_if_any()
        values: dict[str, Any] = {"name": name, "active": active}
        if item_id is None:  # a new entry goes to the end of the list
            values["sort_order"] = 1 + session.execute(
                select(func.coalesce(func.max(model.sort_order), -1))).scalar_one()
        return _save(session, desk, actor, model, item_id, values, entity)


def list_referral_sources(desk: Desk, active_only: bool = False) -> list[ReferralSourceRow]:
    return _list_named(desk, ReferralSource, active_only)


def save_referral_source(desk: Desk, actor: Actor, source_id: int | None, name: str,
                         active: bool = True) -> int:
    return _save_named(desk, actor, ReferralSource, source_id, name, active, "referral_source")


# --- refund reasons -------------------------------------------------------------------------

def list_refund_reasons(desk: Desk, active_only: bool = False) -> list[RefundReasonRow]:
    return _list_named(desk, RefundReason, active_only)


def save_refund_reason(desk: Desk, actor: Actor, reason_id: int | None, name: str,
                       active: bool = True) -> int:
    """A category of the refund register (treatment not done, charged in error ...)."""
    return _save_named(desk, actor, RefundReason, reason_id, name, active, "refund_reason")
