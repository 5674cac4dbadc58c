"""The clinic's settings (name and address for printed documents, currency, language,
time zone, wait-alert thresholds, discount limit, record number format, the day close's
tolerance and approval limit, and the notes and coins of each currency)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import date, datetime, time
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

#: Notes and coins counted in the drawer at day close, in minor units, largest first.
DEFAULT_DENOMINATIONS: dict[str, list[int]] = {
    "CNY": [10000, 5000, 2000, 1000, 500, 100, 50, 10],
    "HKD": [100000, 50000, 10000, 5000, 2000, 1000, 500, 200, 100, 50, 20, 10],
    "MOP": [100000, 50000, 10000, 5000, 2000, 1000, 500, 100, 50, 20, 10],
    "TWD": [100000, 50000, 20000, 10000, 5000, 1000, 500, 100],
    "USD": [10000, 5000, 2000, 1000, 500, 200, 100, 25, 10, 5, 1],
    "SGD": [100000, 10000, 5000, 1000, 500, 200, 100, 50, 20, 10, 5],
    "EUR": [50000, 20000, 10000, 5000, 2000, 1000, 500, 200, 100, 50, 20, 10, 5, 2, 1],
}


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
    #: Day close: a till difference beyond the tolerance needs an explanation, beyond the
    #: approval limit also a manager's approval (minor units).
    closing_tolerance: int = 100
    closing_approval_limit: int = 5000
    cash_denominations: dict[str, list[int]] = field(
        default_factory=lambda: {k: list(v) for k, v in DEFAULT_DENOMINATIONS.items()})
    opens_at: str = "08:00"  # opening hours: the calendar's rows, on the quarter hour
    closes_at: str = "20:00"
    calendar_by_chair: bool = False  # the day view's columns: chairs (rooms), not doctors

    def denominations(self) -> tuple[int, ...]:
        """The notes and coins of the clinic's currency, largest first; a currency without
        a list is counted in powers of ten of its minor unit."""
        values = self.cash_denominations.get(self.currency) or [10000, 1000, 100, 10, 1]
        return tuple(sorted(set(values), reverse=True))


_DEFAULTS = ClinicSettings()


def load_settings(session: Session) -> ClinicSettings:
    stored = {row.key: json.loads(row.value) for row in session.execute(select(Setting)).scalars()}
    known = {f.name for f in fields(ClinicSettings)}
    return replace(_DEFAULTS, **{k: v for k, v in stored.items() if k in known})


def clinic_today(session: Session, now: datetime) -> date:
    """The clinic's business date at `now`, in the clinic's time zone."""
    return business_date(now, load_settings(session).timezone)


def opening_hours(settings: ClinicSettings) -> tuple[time, time]:
    """When the clinic opens and closes, as local times of day."""
    return time.fromisoformat(settings.opens_at), time.fromisoformat(settings.closes_at)


def _quarter_hour(text: str) -> time | None:
    try:
        value = time.fromisoformat(text)
    except (TypeError, ValueError):
        return None
    return value if value.minute % 15 == 0 and not value.second and not value.microsecond \
        else None


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
    if new.closing_tolerance < 0:
        errors.add("closing_tolerance", _("The amount cannot be negative."))
    if new.closing_approval_limit < new.closing_tolerance:
        errors.add("closing_approval_limit",
                   _("The approval limit cannot be below the tolerance."))
    if any(not values or any(not isinstance(v, int) or v <= 0 for v in values)
           for values in new.cash_denominations.values()):
        errors.add("cash_denominations", _("Each note or coin must be worth more than zero."))
    opens, closes = _quarter_hour(new.opens_at), _quarter_hour(new.closes_at)
    if opens is None:
        errors.add("opens_at", _("Enter a time on the quarter hour, for example 08:30."))
    if closes is None:
        errors.add("closes_at", _("Enter a time on the quarter hour, for example 20:00."))
    elif opens is not None and closes <= opens:
        errors.add("closes_at", _("The clinic must close after it opens."))
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
