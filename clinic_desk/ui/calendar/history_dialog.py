"""An appointment's history: its booking, every move (改约) with the reason, and each change
of status, with who did it and when."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTableView, QVBoxLayout, QWidget

from clinic_desk.i18n import N_, format_datetime, gettext as _, ngettext
from clinic_desk.models import AppointmentChangeKind
from clinic_desk.services.calendar import ChangeRow, appointment_history
from clinic_desk.services.context import Desk
from clinic_desk.ui.table_model import Column, RowTableModel
from clinic_desk.ui.widgets import fit_columns

CHANGE_NAMES = {
    AppointmentChangeKind.BOOKED: N_("Booked"),
    AppointmentChangeKind.RESCHEDULED: N_("Rescheduled"),
    AppointmentChangeKind.CONFIRMED: N_("Confirmed"),
    AppointmentChangeKind.CANCELLED: N_("Cancelled"),
    AppointmentChangeKind.ARRIVED: N_("Arrived"),
    AppointmentChangeKind.NO_SHOW: N_("No-show"),
}


def place_text(doctor: str, starts_at: datetime | None, units: int | None) -> str:
    """"李建国 · 2 Mar 2026, 09:00 · 2 units", or nothing for a change that did not move."""
    if starts_at is None or units is None:
        return ""
    length = ngettext("{count} unit", "{count} units", units).format(count=units)
    return " · ".join(part for part in (
        doctor, format_datetime(starts_at, "short", tz=starts_at.tzinfo), length) if part)


class AppointmentHistoryDialog(QDialog):
    def __init__(self, desk: Desk, appointment_id: int, title: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("History of the appointment: {patient}").format(patient=title))
        columns: Sequence[Column[ChangeRow]] = (
            Column(N_("When"), lambda c: format_datetime(c.at, "short", tz=c.at.tzinfo)),
            Column(N_("Change"), lambda c: _(CHANGE_NAMES[c.kind])),
            Column(N_("From"), lambda c: place_text(c.old_doctor, c.old_starts_at, c.old_units)),
            Column(N_("To"), lambda c: place_text(c.new_doctor, c.new_starts_at, c.new_units)),
            Column(N_("Reason"), lambda c: c.reason),
            Column(N_("By"), lambda c: c.by or _("automatic")),
        )
        self.model = RowTableModel(columns, self)
        self.model.set_rows(appointment_history(desk, appointment_id))
        self.table = QTableView(objectName="history")
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        fit_columns(self.table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(860, 320)
