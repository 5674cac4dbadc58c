"""Rescheduling (改约) from the menu, when dragging is not handy: another doctor, day, time or
length, and the reason, which the appointment's history keeps."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtWidgets import QLabel, QLineEdit, QSpinBox, QWidget

from clinic_desk.clock import zone
from clinic_desk.i18n import format_date, gettext as _
from clinic_desk.services.calendar import MAX_UNITS, UNIT, CalendarBlock, reschedule
from clinic_desk.services.checkin import list_doctors
from clinic_desk.services.context import Actor, Desk
from clinic_desk.services.settings import get_settings, opening_hours
from clinic_desk.ui.calendar.booking_dialog import confirming_overlap, length_text
from clinic_desk.ui.calendar.grid import span_text
from clinic_desk.ui.calendar.time_inputs import (QuarterTimeEdit, chosen_date, date_edit,
                                                 local_moment, side_by_side)
from clinic_desk.ui.form_dialog import FormDialog
from clinic_desk.ui.widgets import data_combo, select_data


class RescheduleDialog(FormDialog):
    def __init__(self, desk: Desk, actor: Actor, block: CalendarBlock,
                 parent: QWidget | None = None) -> None:
        super().__init__(_("Reschedule {patient}").format(patient=block.patient_name), parent)
        self.desk, self.actor, self.block = desk, actor, block
        settings = get_settings(desk)
        opens, closes = opening_hours(settings)
        self.tz = zone(settings.timezone)
        current = QLabel(_("Now: {day} {time} with {doctor}").format(
            day=format_date(block.starts_at.date(), "short"),
            time=span_text(block.starts_at, block.ends_at), doctor=block.doctor_name),
            objectName="current")
        self.doctor = data_combo((d.name, d.id) for d in list_doctors(desk))
        self.doctor.setObjectName("doctor")
        select_data(self.doctor, block.doctor_id)
        self.day = date_edit(block.starts_at.date())
        self.time = QuarterTimeEdit(objectName="time")
        self.time.set_range(opens, (datetime.combine(block.starts_at.date(), closes) - UNIT).time())
        self.time.set_value(block.starts_at.time())
        self.units = QSpinBox(objectName="units", minimum=1, maximum=MAX_UNITS)
        self.units.setValue(block.units)
        self.length = QLabel(objectName="length")
        self.reason = QLineEdit(objectName="reason")
        self.form.addRow(current)
        self.add_row(_("Doctor"), "doctor_id", self.doctor)
        self.add_row(_("Starts"), "starts_at", side_by_side(self.day, self.time))
        self.add_row(_("Length in units of 15 min"), "units",
                     side_by_side(self.units, self.length, stretch=1))
        self.add_row(_("Reason"), "reason", self.reason)
        self.finish_layout()
        for signal in (self.units.valueChanged, self.time.timeChanged, self.day.dateChanged):
            signal.connect(self._show_length)
        self._show_length()
        self.reason.setFocus()

    def starts_at(self) -> datetime:
        return local_moment(chosen_date(self.day), self.time.value(), self.tz)

    def _show_length(self) -> None:
        self.length.setText(length_text(self.units.value(), self.starts_at()))

    def submit(self) -> None:
        confirming_overlap(self, lambda allow: reschedule(
            self.desk, self.actor, self.block.appointment_id, self.block.version,
            doctor_id=self.doctor.currentData(), starts_at=self.starts_at(),
            units=self.units.value(), reason=self.reason.text(), allow_patient_overlap=allow))
