"""One patient in a line of text, as search results, dialogs and the queue show them.

A patient registered by phone has no sex or date of birth yet: those parts are left out and
the line says the details are missing."""

from __future__ import annotations

from datetime import date

from clinic_desk.i18n import format_date, gettext as _
from clinic_desk.models import Sex
from clinic_desk.services.patients import PatientSummary, age_on, display_phone
from clinic_desk.ui.widgets import SEX_NAMES, enum_name


def details_missing_text() -> str:
    return _("details missing")


def sex_text(sex: Sex | None) -> str:
    return "" if sex is None else enum_name(SEX_NAMES, sex)


def age_text(birth: date | None, today: date) -> str:
    return "" if birth is None else _("{age} y").format(age=age_on(birth, today))


def birth_text(birth: date | None) -> str:
    return "" if birth is None else format_date(birth, "short")


def summary_line(patient: PatientSummary, today: date | None = None) -> str:
    parts = [patient.record_number, patient.name, sex_text(patient.sex),
             age_text(patient.birth_date, today or date.today()),
             details_missing_text() if patient.details_missing else "",
             display_phone(patient.phone)]
    return " · ".join(part for part in parts if part)
