"""Patient records: registering a patient and keeping the search forms of the name."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import phonenumbers
from sqlalchemy.orm import Session

from clinic_desk.clock import business_date
from clinic_desk.i18n import gettext as _
from clinic_desk.models import Patient, PatientCondition, Sex
from clinic_desk.services import audit
from clinic_desk.services.auth import Permission, require
from clinic_desk.services.context import Actor, Desk
from clinic_desk.services.errors import FieldErrors
from clinic_desk.services.numbering import take_next
from clinic_desk.services.pinyin_search import search_forms
from clinic_desk.services.settings import format_record_number, load_settings

MAX_NAME = 50
MAX_AGE_YEARS = 120
RECORD_SERIES = "record_number"
#: Regions whose numbers a patient may give: mainland, Hong Kong, Macau, Taiwan.
PHONE_REGIONS = ("CN", "HK", "MO", "TW")


@dataclass(frozen=True)
class PatientForm:
    name: str
    sex: Sex
    birth_date: date | None
    phone: str
    national_id: str = ""
    address: str = ""
    referral_source_id: int | None = None
    vip: bool = False
    notes: str = ""
    condition_kind_ids: frozenset[int] = field(default_factory=frozenset)


def normalise_phone(text: str) -> str | None:
    """The number in E.164 form if it is a valid phone number of one of PHONE_REGIONS."""
    cleaned = text.strip()
    for region in PHONE_REGIONS:
        try:
            number = phonenumbers.parse(cleaned, region)
        except phonenumbers.NumberParseException:
            return None
        if phonenumbers.is_valid_number(number) and \
                phonenumbers.region_code_for_number(number) in PHONE_REGIONS:
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return None


def _has_symbol_or_emoji(text: str) -> bool:
    return any(ord(ch) > 0xFFFF or (0x2600 <= ord(ch) <= 0x27BF) for ch in text)


def validate_patient(form: PatientForm, today: date) -> str:
    """Check the form; returns the normalised phone number."""
    errors = FieldErrors()
    name = form.name.strip()
    if not name:
        errors.add("name", _("Enter the patient's name."))
    elif len(name) > MAX_NAME:
        errors.add("name", _("At most {count} characters.").format(count=MAX_NAME))
    elif _has_symbol_or_emoji(name) or any(ch.isdigit() for ch in name):
        errors.add("name", _("A name cannot contain digits, symbols or emoji."))
    if form.birth_date is None:
        errors.add("birth_date", _("Enter the date of birth."))
    elif form.birth_date > today:
        errors.add("birth_date", _("The date of birth is in the future."))
    elif form.birth_date.year < today.year - MAX_AGE_YEARS:
        errors.add("birth_date", _("The date of birth is more than {years} years ago.").format(
            years=MAX_AGE_YEARS))
    phone = normalise_phone(form.phone)
    if not form.phone.strip():
        errors.add("phone", _("Enter a phone number."))
    elif phone is None:
        errors.add("phone", _("This is not a valid mainland, Hong Kong, Macau or Taiwan "
                              "phone number."))
    errors.raise_if_any()
    return phone or ""


def _snapshot(patient: Patient) -> dict[str, object]:
    return {
        "record_number": patient.record_number, "name": patient.name, "sex": patient.sex,
        "birth_date": patient.birth_date, "phone": patient.phone,
        "national_id": patient.national_id or "", "address": patient.address, "vip": patient.vip,
        "conditions": sorted(c.condition_kind_id for c in patient.conditions),
    }


def create_patient(session: Session, actor_id: int, form: PatientForm, now: datetime,
                   today: date) -> Patient:
    """Validate and register inside the caller's transaction; takes the next record number."""
    phone = validate_patient(form, today)
    settings = load_settings(session)
    number = format_record_number(settings.record_number_format,
                                  take_next(session, RECORD_SERIES))
    name = form.name.strip()
    initials, full = search_forms(name)
    patient = Patient(
        record_number=number, name=name, sex=form.sex, birth_date=form.birth_date,
        phone=phone, phone_last4=phone[-4:], national_id=form.national_id.strip() or None,
        address=form.address.strip(), referral_source_id=form.referral_source_id, vip=form.vip,
        notes=form.notes.strip(), search_initials=initials, search_full=full, created_at=now,
        created_by_id=actor_id, updated_at=now,
        conditions=[PatientCondition(condition_kind_id=k) for k in sorted(form.condition_kind_ids)])
    session.add(patient)
    session.flush()
    audit.record(session, now, actor_id, "patient_registered", "patient", patient.id,
                 _snapshot(patient))
    return patient


def register_patient(desk: Desk, actor: Actor, form: PatientForm) -> int:
    require(actor, Permission.REGISTER_PATIENTS)
    now = desk.clock.now()
    with desk.db.write() as session:
        today = business_date(now, load_settings(session).timezone)
        return create_patient(session, actor.staff_id, form, now, today).id
