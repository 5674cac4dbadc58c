"""First start: the clinic, its manager account and the starting lists, in one transaction."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clinic_desk.i18n import N_, gettext as _, use_language
from clinic_desk.models import (CashStation, ConditionKind, PaymentKind, PaymentMethod,
                                PriceCategory, ReferralSource, RefundReason, Role, Room, Sex, Staff,
                                Station,
                                VisitKind)
from clinic_desk.services import audit
from clinic_desk.services.auth import actor_of
from clinic_desk.services.context import Actor, Desk
from clinic_desk.services.errors import Conflict, FieldErrors, ValidationError
from clinic_desk.services.settings import ClinicSettings, validate_settings, write_settings
from clinic_desk.services.staff import StaffForm, create_staff


@dataclass(frozen=True)
class FirstStartForm:
    clinic_name: str
    address: str
    phone: str
    currency: str
    language: str
    clinic_kind: str  # "dental" or "eye": which starting lists to create
    manager_name: str
    manager_staff_number: str
    manager_sex: Sex
    username: str
    password: str
    password_repeat: str


CATEGORIES = (N_("Examination"), N_("Treatment"), N_("Medicine"), N_("Materials"), N_("Other"))
DENTAL_VISIT_KINDS = (
    ("first", N_("First visit"), 1, 30), ("return", N_("Return visit"), 2, 30),
    ("consult", N_("Consultation"), 1, 15), ("checkup", N_("Check-up"), 1, 20),
    ("ortho", N_("Orthodontics"), 2, 30),
)
EYE_VISIT_KINDS = (
    ("first", N_("First visit"), 1, 20), ("return", N_("Return visit"), 1, 15),
    ("refraction", N_("Refraction"), 1, 15), ("glaucoma", N_("Glaucoma"), 2, 25),
    ("cataract", N_("Cataract"), 2, 25), ("fundus", N_("Fundus examination"), 2, 25),
)
PAYMENT_METHODS = (
    (N_("Cash"), PaymentKind.CASH, False, False),
    (N_("Bank card"), PaymentKind.CARD, True, True),
    (N_("WeChat Pay"), PaymentKind.WECHAT, False, True),
    (N_("Alipay"), PaymentKind.ALIPAY, False, True),
)
CONDITIONS = (
    (N_("Allergy"), "#d32f2f"), (N_("Pregnancy"), "#ad1457"), (N_("Hypertension"), "#e65100"),
    (N_("Diabetes"), "#6a1b9a"), (N_("Bleeding disorder"), "#b71c1c"),
)
REFERRAL_SOURCES = (N_("Friend or family"), N_("Internet"), N_("Passing by"),
                    N_("Doctor's referral"), N_("Other"))
REFUND_REASONS = (N_("Treatment not done"), N_("Charged in error"), N_("Patient complaint"),
                  N_("Other"))
EYE_STATIONS = ((N_("Vision test"), False, 0), (N_("Dilation"), False, 20),
                (N_("Doctor"), True, 0))


def needs_first_start(desk: Desk) -> bool:
    with desk.db.read() as session:
        return session.execute(select(func.count()).select_from(Staff)).scalar_one() == 0


def _seed_lists(session: Session, clinic_kind: str) -> None:
    """Starting lists in the clinic's language; the clinic edits them in the settings."""
    session.add_all(PriceCategory(name=_(name), sort_order=i) for i, name in enumerate(CATEGORIES))
    kinds = EYE_VISIT_KINDS if clinic_kind == "eye" else DENTAL_VISIT_KINDS
    session.add_all(VisitKind(code=code, name=_(name), default_units=units, average_minutes=avg,
                              sort_order=i) for i, (code, name, units, avg) in enumerate(kinds))
    session.add_all(PaymentMethod(name=_(name), kind=kind, needs_card_digits=digits,
                                  needs_reference=ref, sort_order=i)
                    for i, (name, kind, digits, ref) in enumerate(PAYMENT_METHODS))
    session.add_all(ConditionKind(name=_(name), colour=colour, sort_order=i)
                    for i, (name, colour) in enumerate(CONDITIONS))
    session.add_all(RefundReason(name=_(name), sort_order=i)
                    for i, name in enumerate(REFUND_REASONS))
    session.add_all(ReferralSource(name=_(name), sort_order=i)
                    for i, name in enumerate(REFERRAL_SOURCES))
    session.add(CashStation(name=_("Cash desk 1")))
    if clinic_kind == "eye":
        session.add_all(Station(name=_(name), is_doctor=is_doctor, min_wait_minutes=wait,
                                sort_order=i)
                        for i, (name, is_doctor, wait) in enumerate(EYE_STATIONS))
    else:
        session.add(Station(name=_("Doctor"), is_doctor=True))
    session.add_all(Room(name=_("Room {number}").format(number=n), sort_order=n) for n in (1, 2, 3))


def create_clinic(desk: Desk, form: FirstStartForm) -> Actor:
    """Set up a new clinic database; refused if it already has staff."""
    settings = ClinicSettings(clinic_name=form.clinic_name.strip(), address=form.address.strip(),
                              phone=form.phone.strip(), currency=form.currency,
                              language=form.language)
    errors = FieldErrors()
    try:
        validate_settings(settings)
    except ValidationError as error:
        errors.errors.update(error.errors)
    if form.clinic_kind not in ("dental", "eye"):
        errors.add("clinic_kind", _("Choose dental or eye clinic."))
    if form.password != form.password_repeat:
        errors.add("password_repeat", _("The two passwords differ."))
    manager = StaffForm(staff_number=form.manager_staff_number, full_name=form.manager_name,
                        sex=form.manager_sex, roles=frozenset({Role.MANAGER}),
                        username=form.username, password=form.password)
    now = desk.clock.now()
    with desk.db.write() as session:
        if session.execute(select(func.count()).select_from(Staff)).scalar_one():
            raise Conflict(_("This clinic is already set up. Log in instead."))
        try:
            staff = create_staff(session, None, manager, now)
        except ValidationError as error:
            errors.errors.update(error.errors)
        errors.raise_if_any()
        staff.language = form.language
        write_settings(session, staff.id, settings, now)
        with use_language(form.language):
            _seed_lists(session, form.clinic_kind)
        audit.record(session, now, staff.id, "clinic_created", "settings", None,
                     {"clinic_name": settings.clinic_name, "clinic_kind": form.clinic_kind})
        return actor_of(staff)
