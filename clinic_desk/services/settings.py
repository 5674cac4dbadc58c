"""The clinic's settings (name and address for printed documents, currency, language,
time zone, wait-alert thresholds, discount limit, record number format)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields, replace
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.numbers import list_currencies
from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_desk.clock import DEFAULT_TIMEZONE, business_date
from clinic_desk.i18n import DEFAULT_LANGUAGE, LANGUAGES, gettext as _
from clinic_desk.models import Setting
from clinic_desk.services import audit
from clinic_desk.services.auth import Permission, require
from clinic_desk.services.context import Actor, Desk
from clinic_desk.services.errors import FieldErrors
from clinic_desk.services.privacy import DisplayName

MAX_TEXT = 200


@dataclass(frozen=True)
class ClinicSettings:
    clinic_name: str = ""
    address: str = ""
    phone: str = ""
    currency: str = "CNY"
    language: str = DEFAULT_LANGUAGE
    timezone: str = DEFAULT_TIMEZONE
    record_number_format: str = "{n:06d}"
    wait_alert_first_minutes: int = 15
    wait_alert_second_minutes: int = 20
    discount_limit_percent: int = 10
    display_name_mode: str = "masked"  # how the waiting-room screen shows names


_DEFAULTS = ClinicSettings()


def load_settings(session: Session) -> ClinicSettings:
    stored = {row.key: json.loads(row.value) for row in session.execute(select(Setting)).scalars()}
    known = {f.name for f in fields(ClinicSettings)}
    return replace(_DEFAULTS, **{k: v for k, v in stored.items() if k in known})


def clinic_today(session: Session, now: datetime) -> date:
    """The clinic's business date at `now`, in the clinic's time zone."""
    return business_date(now, load_settings(session).timezone)


def get_settings(desk: Desk) -> ClinicSettings:
    with desk.db.read() as session:
        return load_settings(session)


def format_record_number(pattern: str, n: int) -> str:
    return pattern.format(n=n)


def validate_settings(new: ClinicSettings) -> None:
    """Raise ValidationError naming each wrong field; nothing is written."""
    errors = FieldErrors()
    if not new.clinic_name.strip():
        errors.add("clinic_name", _("Enter the clinic's name."))
    for name in ("clinic_name", "address", "phone"):
        if len(getattr(new, name)) > MAX_TEXT:
            errors.add(name, _("At most {count} characters.").format(count=MAX_TEXT))
    if new.currency not in list_currencies():
        errors.add("currency", _("Unknown currency code."))
    if new.language not in dict(LANGUAGES):
        errors.add("language", _("Choose one of the offered languages."))
    try:
        ZoneInfo(new.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        errors.add("timezone", _("Unknown time zone."))
    try:
        sample = format_record_number(new.record_number_format, 1)
        if "{n" not in new.record_number_format or not sample.strip():
            raise ValueError
    except (ValueError, KeyError, IndexError):
        errors.add("record_number_format",
                   _("The format must contain {n}, for example P{n:06d}."))
    first, second = new.wait_alert_first_minutes, new.wait_alert_second_minutes
    if not 1 <= first <= 240:
        errors.add("wait_alert_first_minutes", _("Enter minutes between 1 and 240."))
    if not 1 <= second <= 240:
        errors.add("wait_alert_second_minutes", _("Enter minutes between 1 and 240."))
    elif first >= second and "wait_alert_first_minutes" not in errors:
        errors.add("wait_alert_second_minutes",
                   _("The second alert must come later than the first."))
    if new.display_name_mode not in {mode.value for mode in DisplayName}:
        errors.add("display_name_mode", _("Choose how names appear on the waiting-room screen."))
    if not 0 <= new.discount_limit_percent <= 100:
        errors.add("discount_limit_percent", _("Enter a percentage between 0 and 100."))
    errors.raise_if_any()


def write_settings(session: Session, actor_id: int | None, new: ClinicSettings,
                   now: datetime) -> dict[str, Any]:
    """Store every changed setting and audit the change; returns what changed."""
    old = load_settings(session)
    changed = audit.changes(asdict(old), asdict(new))
    rows = {row.key: row for row in session.execute(select(Setting)).scalars()}
    for key in changed:
        value = json.dumps(getattr(new, key), ensure_ascii=False)
        if key in rows:
            rows[key].value, rows[key].updated_at, rows[key].updated_by_id = value, now, actor_id
        else:
            session.add(Setting(key=key, value=value, updated_at=now, updated_by_id=actor_id))
    if changed:
        audit.record(session, now, actor_id, "settings_changed", "settings", None, changed)
    return changed


def save_settings(desk: Desk, actor: Actor, new: ClinicSettings) -> dict[str, Any]:
    require(actor, Permission.MANAGE_SETTINGS)
    cleaned = replace(new, clinic_name=new.clinic_name.strip(), address=new.address.strip(),
                      phone=new.phone.strip())
    validate_settings(cleaned)
    with desk.db.write() as session:
        return write_settings(session, actor.staff_id, cleaned, desk.clock.now())
