"""Patient records: registration with its checks, quick registration of a caller (name and
phone, the rest completed on arrival), edits with their history, duplicates."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

import phonenumbers
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from clinic_desk.i18n import gettext as _
from clinic_desk.models import (AuditEntry, ConditionKind, Patient, PatientCondition,
                                PatientSearchTerm, Sex, Staff)
from clinic_desk.services import audit
from clinic_desk.services.auth import Permission, require
from clinic_desk.services.context import Actor, Desk
from clinic_desk.services.errors import Conflict, FieldErrors, NotFound, ValidationError
from clinic_desk.services.national_id import check_national_id, normalise
from clinic_desk.services.numbering import take_next
from clinic_desk.services.refunds import REFUND_RECORDED, patient_refunds
from clinic_desk.services.search_terms import patient_terms
from clinic_desk.services.settings import clinic_today, format_record_number, load_settings

MAX_NAME = 50
MAX_AGE_YEARS = 120
MAX_ADDRESS = 300
RECORD_SERIES = "record_number"
#: Regions whose numbers a patient may give: mainland, Hong Kong, Macau, Taiwan.
PHONE_REGIONS = ("CN", "HK", "MO", "TW")
#: Characters a name may hold besides letters: spaces, the middle dot of transcribed names
#: (阿卜杜·热合曼), hyphens, apostrophes and full stops.
NAME_PUNCTUATION = frozenset(" ·•‧.-'’")
#: What a quick registration leaves out, to be completed when the patient arrives.
DETAIL_FIELDS = ("sex", "birth_date")
PATIENT_REGISTERED = "patient_registered"
PATIENT_QUICK_REGISTERED = "patient_quick_registered"
PATIENT_CHANGED = "patient_changed"
PATIENT_COMPLETED = "patient_details_completed"


@dataclass(frozen=True)
class PatientForm:
    name: str
    sex: Sex | None
    birth_date: date | None
    phone: str
    national_id: str = ""
    address: str = ""
    referral_source_id: int | None = None
    preferred_doctor_id: int | None = None
    vip: bool = False
    notes: str = ""
    condition_kind_ids: frozenset[int] = field(default_factory=frozenset)
    record_number: str = ""  # typed by hand (old paper records); empty takes the next number


@dataclass(frozen=True)
class Flag:
    name: str
    colour: str


@dataclass(frozen=True)
class PatientSummary:
    """What a search result, a queue row or a receipt shows of a patient."""

    id: int
    record_number: str
    name: str
    sex: Sex | None
    birth_date: date | None
    phone: str
    vip: bool
    flags: tuple[Flag, ...]

    @property
    def missing_details(self) -> tuple[str, ...]:
        """The fields a quick registration left empty, in DETAIL_FIELDS order."""
        return missing_details(self)

    @property
    def details_missing(self) -> bool:
        return bool(self.missing_details)


class DuplicatePatient(Conflict):
    """Someone with the same phone, or the same name and birth date, is already registered."""

    def __init__(self, matches: list[PatientSummary]) -> None:
        super().__init__(_("This patient may already be registered."))
        self.matches = matches


def normalise_phone(text: str) -> str | None:
    """The number in E.164 form if it is a valid number of one of PHONE_REGIONS."""
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


def display_phone(e164: str) -> str:
    """138 1234 5678 for mainland numbers, +852 9123 4567 for the others."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    if number.country_code == 86:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def read_date(text: str, field: str) -> date | None:
    """A typed date: 1980-01-31, 1980/1/31, 1980.1.31 or 19800131; empty is None.

    An impossible date (2月30日) gets a message at `field`.
    """
    cleaned = text.strip().replace("/", "-").replace(".", "-")
    if not cleaned:
        return None
    try:
        if cleaned.isdigit() and len(cleaned) == 8:
            return date(int(cleaned[:4]), int(cleaned[4:6]), int(cleaned[6:]))
        year, month, day = (int(part) for part in cleaned.split("-"))
        return date(year, month, day)
    except ValueError:
        raise ValidationError.single(field, _("Enter a real date as YYYY-MM-DD.")) from None


def missing_details(record: Patient | PatientSummary | PatientForm) -> tuple[str, ...]:
    return tuple(name for name in DETAIL_FIELDS if getattr(record, name) is None)


def age_on(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def _name_is_plausible(name: str) -> bool:
    return all(unicodedata.category(ch)[0] in "LM" or ch in NAME_PUNCTUATION for ch in name)


@dataclass(frozen=True)
class _Checked:
    name: str
    phone: str
    national_id: str | None
    record_number: str


def _check(session: Session, form: PatientForm, today: date, patient_id: int | None,
           required: tuple[str, ...] = DETAIL_FIELDS) -> _Checked:
    """Every field's checks; sex and date of birth may be empty unless in `required`."""
    errors = FieldErrors()
    name = " ".join(form.name.split())
    if not name:
        errors.add("name", _("Enter the patient's name."))
    elif len(name) > MAX_NAME:
        errors.add("name", _("At most {count} characters.").format(count=MAX_NAME))
    elif not _name_is_plausible(name):
        errors.add("name", _("A name cannot contain digits, symbols or emoji."))
    if form.sex is None and "sex" in required:
        errors.add("sex", _("Choose the sex."))
    if form.birth_date is None:
        if "birth_date" in required:
            errors.add("birth_date", _("Enter the date of birth."))
    elif form.birth_date > today:
        errors.add("birth_date", _("The date of birth is in the future."))
    elif age_on(form.birth_date, today) > MAX_AGE_YEARS:
        errors.add("birth_date", _("The date of birth is more than {years} years ago.").format(
            years=MAX_AGE_YEARS))
    phone = normalise_phone(form.phone)
    if not form.phone.strip():
        errors.add("phone", _("Enter a phone number."))
    elif phone is None:
        errors.add("phone", _("This is not a valid mainland, Hong Kong, Macau or Taiwan "
                              "phone number."))
    national_id = normalise(form.national_id) or None
    if national_id is not None:
        try:
            facts = check_national_id(national_id, today)
        except ValidationError as error:
            errors.errors.update(error.errors)
        else:
            if form.birth_date is not None and form.birth_date != facts.birth_date:
                errors.add("birth_date", _("The date of birth differs from the ID number's."))
            if form.sex is not None and form.sex != facts.sex:
                errors.add("sex", _("The sex differs from the ID number's."))
    if len(form.address.strip()) > MAX_ADDRESS:
        errors.add("address", _("At most {count} characters.").format(count=MAX_ADDRESS))
    record_number = form.record_number.strip()
    if record_number:
        if len(record_number) > 30 or not record_number.isalnum():
            errors.add("record_number", _("A record number is letters and digits only."))
        elif session.execute(select(Patient.id).where(
                Patient.record_number == record_number,
                Patient.id != (patient_id or 0))).first():
            errors.add("record_number", _("Record number {number} is already used.").format(
                number=record_number))
    errors.raise_if_any()
    return _Checked(name=name, phone=phone or "", national_id=national_id,
                    record_number=record_number)


def _next_record_number(session: Session) -> str:
    """The next number of the series, passing over any typed in by hand earlier."""
    pattern = load_settings(session).record_number_format
    while True:
        number = format_record_number(pattern, take_next(session, RECORD_SERIES))
        if session.execute(select(Patient.id).where(Patient.record_number == number)).first() \
                is None:
            return number


def _snapshot(patient: Patient) -> dict[str, object]:
    return {
        "record_number": patient.record_number, "name": patient.name, "sex": patient.sex,
        "birth_date": patient.birth_date, "phone": patient.phone,
        "national_id": patient.national_id or "", "address": patient.address, "vip": patient.vip,
        "notes": patient.notes, "referral_source_id": patient.referral_source_id,
        "preferred_doctor_id": patient.preferred_doctor_id,
        "conditions": sorted(c.condition_kind_id for c in patient.conditions),
    }


def _apply(patient: Patient, form: PatientForm, checked: _Checked) -> None:
    if patient.name != checked.name or patient.phone != checked.phone:
        terms = patient_terms(checked.name, checked.phone)
        # Keep the rows of terms that stay: the flush inserts before it deletes orphans,
        # so a new row for a kept term would break the (term, patient_id) unique key.
        kept = {t.term: t for t in patient.search_terms}
        patient.search_terms = [kept.get(t) or PatientSearchTerm(term=t) for t in sorted(terms)]
    patient.name = checked.name
    patient.sex = form.sex
    patient.birth_date = form.birth_date
    patient.phone = checked.phone
    patient.phone_last4 = checked.phone[-4:]
    patient.national_id = checked.national_id
    patient.address = form.address.strip()
    patient.referral_source_id = form.referral_source_id
    patient.preferred_doctor_id = form.preferred_doctor_id
    patient.vip = form.vip
    patient.notes = form.notes.strip()
    current = {c.condition_kind_id: c for c in patient.conditions}
    patient.conditions = [current.get(k) or PatientCondition(condition_kind_id=k)
                          for k in sorted(form.condition_kind_ids)]


def duplicates_of(session: Session, name: str, birth_date: date | None, phone: str | None,
                  exclude_id: int | None = None) -> list[PatientSummary]:
    conditions = []
    if phone:
        conditions.append(Patient.phone == phone)
    if name.strip() and birth_date is not None:
        conditions.append((Patient.name == " ".join(name.split()))
                          & (Patient.birth_date == birth_date))
    if not conditions:
        return []
    ids = session.execute(select(Patient.id).where(or_(*conditions),
                                                   Patient.id != (exclude_id or 0))
                          .order_by(Patient.id).limit(10)).scalars().all()
    return summaries(session, ids)


def create_patient(session: Session, actor_id: int, form: PatientForm, now: datetime,
                   today: date, allow_duplicate: bool = False, *, quick: bool = False) -> Patient:
    """Check and register inside the caller's transaction; takes the next record number.

    `quick`: a caller on the phone; sex and date of birth may wait until the visit.
    """
    checked = _check(session, form, today, None, () if quick else DETAIL_FIELDS)
    if not allow_duplicate:
        matches = duplicates_of(session, checked.name, form.birth_date, checked.phone)
        if matches:
            raise DuplicatePatient(matches)
    patient = Patient(record_number=checked.record_number or _next_record_number(session),
                      created_at=now, created_by_id=actor_id, updated_at=now)
    _apply(patient, form, checked)
    session.add(patient)
    session.flush()
    audit.record(session, now, actor_id, PATIENT_QUICK_REGISTERED if quick else
                 PATIENT_REGISTERED, "patient", patient.id, _snapshot(patient))
    return patient


def today(desk: Desk) -> date:
    """The clinic's business date now."""
    with desk.db.read() as session:
        return clinic_today(session, desk.clock.now())


def register_patient(desk: Desk, actor: Actor, form: PatientForm,
                     allow_duplicate: bool = False) -> int:
    """Register a new patient; DuplicatePatient unless the desk confirmed it is someone new."""
    require(actor, Permission.REGISTER_PATIENTS)
    now = desk.clock.now()
    with desk.db.write() as session:
        return create_patient(session, actor.staff_id, form, now, clinic_today(session, now),
                              allow_duplicate).id


def quick_register_patient(desk: Desk, actor: Actor, name: str, phone: str,
                           allow_duplicate: bool = False) -> int:
    """Register a caller booking by phone with name and phone only, checked as at the desk;
    the record is found by search at once and its details are completed on arrival.
    DuplicatePatient when the phone is already on file, unless the desk confirmed."""
    require(actor, Permission.REGISTER_PATIENTS)
    now = desk.clock.now()
    form = PatientForm(name=name, sex=None, birth_date=None, phone=phone)
    with desk.db.write() as session:
        return create_patient(session, actor.staff_id, form, now, clinic_today(session, now),
                              allow_duplicate, quick=True).id


def update_patient(desk: Desk, actor: Actor, patient_id: int, form: PatientForm,
                   reason: str = "", *, complete: bool = False) -> dict[str, object]:
    """Change a patient's record; the old and new values go to the patient's history.

    Sex and date of birth once recorded stay required; `complete` (the patient has arrived)
    requires them all.
    """
    require(actor, Permission.REGISTER_PATIENTS)
    now = desk.clock.now()
    with desk.db.write() as session:
        patient = _get(session, patient_id)
        missing = missing_details(patient)
        required = DETAIL_FIELDS if complete else tuple(
            name for name in DETAIL_FIELDS if name not in missing)
        form = PatientForm(**{**form.__dict__, "record_number": patient.record_number})
        checked = _check(session, form, clinic_today(session, now), patient_id, required)
        before = _snapshot(patient)
        _apply(patient, form, checked)
        patient.updated_at = now
        session.flush()
        changed = audit.changes(before, _snapshot(patient))
        if changed:
            completed = bool(missing) and not missing_details(patient)
            audit.record(session, now, actor.staff_id,
                         PATIENT_COMPLETED if completed else PATIENT_CHANGED, "patient",
                         patient_id, changed, reason=reason.strip())
        return changed


def _get(session: Session, patient_id: int) -> Patient:
    patient = session.get(Patient, patient_id)
    if patient is None:
        raise NotFound(_("This patient no longer exists."))
    return patient


def flags_of(session: Session, patient_ids: Iterable[int]) -> dict[int, list[Flag]]:
    """Each patient's flagged conditions, in the clinic's order of the list."""
    ids = list(set(patient_ids))
    flags: dict[int, list[Flag]] = {}
    if not ids:
        return flags
    for patient_id, name, colour in session.execute(
            select(PatientCondition.patient_id, ConditionKind.name, ConditionKind.colour)
            .join(ConditionKind).where(PatientCondition.patient_id.in_(ids))
            .order_by(ConditionKind.sort_order, ConditionKind.id)):
        flags.setdefault(patient_id, []).append(Flag(name, colour))
    return flags


def summaries(session: Session, patient_ids: Iterable[int]) -> list[PatientSummary]:
    """Summaries in the order of `patient_ids`, with their flags, in two queries."""
    ids = list(patient_ids)
    if not ids:
        return []
    columns = (Patient.id, Patient.record_number, Patient.name, Patient.sex, Patient.birth_date,
               Patient.phone, Patient.vip)
    rows = {row.id: row for row in session.execute(select(*columns).where(Patient.id.in_(ids)))}
    flags = flags_of(session, ids)
    return [PatientSummary(id=r.id, record_number=r.record_number, name=r.name, sex=r.sex,
                           birth_date=r.birth_date, phone=r.phone, vip=r.vip,
                           flags=tuple(flags.get(r.id, ())))
            for r in (rows[i] for i in ids if i in rows)]


def patient_form(desk: Desk, patient_id: int) -> PatientForm:
    with desk.db.read() as session:
        p = _get(session, patient_id)
        return PatientForm(
            name=p.name, sex=p.sex, birth_date=p.birth_date, phone=display_phone(p.phone),
            national_id=p.national_id or "", address=p.address,
            referral_source_id=p.referral_source_id, preferred_doctor_id=p.preferred_doctor_id,
            vip=p.vip, notes=p.notes,
            condition_kind_ids=frozenset(c.condition_kind_id for c in p.conditions),
            record_number=p.record_number)


def get_summary(desk: Desk, patient_id: int) -> PatientSummary:
    with desk.db.read() as session:
        found = summaries(session, [patient_id])
    if not found:
        raise NotFound(_("This patient no longer exists."))
    return found[0]


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    who: str
    action: str
    changes: dict[str, object]
    reason: str


def patient_history(desk: Desk, patient_id: int) -> list[HistoryEntry]:
    """Every recorded change of the patient's record and every refund paid to the patient
    (time, reason, amount, who), newest first."""
    with desk.db.read() as session:
        rows = session.execute(
            select(AuditEntry, Staff.full_name).outerjoin(Staff, Staff.id == AuditEntry.actor_id)
            .where(AuditEntry.entity == "patient", AuditEntry.entity_id == patient_id)
            .order_by(AuditEntry.id.desc())).all()
        refunds = patient_refunds(session, patient_id)
    history = [HistoryEntry(at=e.at, who=who or "", action=e.action,
                            changes=json.loads(e.details), reason=e.reason) for e, who in rows]
    history += [HistoryEntry(
        at=r.refunded_at, who=r.cashier_name, action=REFUND_RECORDED,
        changes={"number": r.number, "amount": r.amount, "reason": r.reason, "item": r.item,
                 "doctor": r.doctor_name, "approved_by": r.manager_name},
        reason=r.reason_detail) for r in refunds]
    return sorted(history, key=lambda entry: entry.at, reverse=True)
