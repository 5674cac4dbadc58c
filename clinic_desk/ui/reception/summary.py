"""One patient in a line of text, as search results, dialogs and the queue show them."""

from __future__ import annotations

from datetime import date

from clinic_desk.i18n import gettext as _
from clinic_desk.services.patients import PatientSummary, age_on, display_phone
from clinic_desk.ui.widgets import SEX_NAMES, enum_name


def age_text(birth: date, today: date) -> str:
    return _("{age} y").format(age=age_on(birth, today))


def summary_line(patient: PatientSummary, today: date | None = None) -> str:
    parts = [patient.record_number, patient.name, enum_name(SEX_NAMES, patient.sex),
             age_text(patient.birth_date, today or date.today()), display_phone(patient.phone)]
    return " · ".join(parts)
