"""Asking for the reason of a queue action (and the doctor or station it goes to)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QLineEdit, QWidget

from clinic_desk.i18n import gettext as _
from clinic_desk.services.checkin import DoctorChoice
from clinic_desk.services.queue import StationChoice
from clinic_desk.ui.form_dialog import FormDialog
from clinic_desk.ui.widgets import data_combo, select_data


class ReasonDialog(FormDialog):
    def __init__(self, title: str, parent: QWidget | None = None,
                 doctors: Sequence[DoctorChoice] = (), stations: Sequence[StationChoice] = (),
                 choice: object = None, with_reason: bool = True) -> None:
        super().__init__(title, parent)
        self.doctor = data_combo((d.name, d.id) for d in doctors) if doctors else None
        self.station = data_combo((s.name, s.id) for s in stations) if stations else None
        if self.doctor is not None:
            select_data(self.doctor, choice)
            self.add_row(_("Doctor"), "doctor", self.doctor)
        if self.station is not None:
            self.add_row(_("Station"), "station", self.station)
        self.reason = QLineEdit(objectName="reason")
        if with_reason:
            self.add_row(_("Reason"), "reason", self.reason)
        self.finish_layout()

    def choice(self) -> object:
        combo = self.doctor or self.station
        return combo.currentData() if combo is not None else None

    def submit(self) -> None:
        """The use case checks the reason and shows its message; nothing to do here."""
