"""Doctors' days off and one-off absences. Entering one lists the appointments it hits, so
the desk can call those patients and move them (or cancel) right from the list."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from PySide6.QtWidgets import (QCheckBox, QDialog, QDialogButtonBox, QFormLayout, QGroupBox,
                               QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout,
                               QWidget)

from clinic_desk.clock import zone
from clinic_desk.i18n import N_, format_date, format_time, gettext as _, ngettext
from clinic_desk.services import schedules
from clinic_desk.services.calendar import CalendarBlock, status_label
from clinic_desk.services.checkin import list_doctors
from clinic_desk.services.context import Actor, Desk
from clinic_desk.services.patients import today as clinic_today
from clinic_desk.services.schedules import AbsenceRow
from clinic_desk.services.settings import get_settings, opening_hours
from clinic_desk.ui import messages
from clinic_desk.ui.calendar.grid import span_text
from clinic_desk.ui.calendar.reschedule_dialog import RescheduleDialog
from clinic_desk.ui.calendar.time_inputs import (QuarterTimeEdit, chosen_date, date_edit,
                                                 local_moment, side_by_side)
from clinic_desk.ui.field_errors import FieldErrors
from clinic_desk.ui.table_model import Column, RowTableModel
from clinic_desk.ui.widgets import data_combo, row_table


def absence_when(row: AbsenceRow) -> str:
    """"3 Mar 2026 – 5 Mar 2026", or "3 Mar 2026 14:00–17:30"."""
    if row.start_time is None or row.end_time is None:
        if row.start_date == row.end_date:
            return format_date(row.start_date)
        return f"{format_date(row.start_date)} – {format_date(row.end_date)}"
    return (f"{format_date(row.start_date)} {format_time(row.start_time)}–"
            f"{format_time(row.end_time)}")


class AbsencesDialog(QDialog):
    def __init__(self, desk: Desk, actor: Actor, parent: QWidget | None = None,
                 doctor_id: int | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor = desk, actor
        self.setWindowTitle(_("Days off and absences"))
        settings = get_settings(desk)
        self.tz = zone(settings.timezone)
        opens, closes = opening_hours(settings)
        today = clinic_today(desk)

        self.doctor = data_combo([(_("All doctors"), None)]
                                 + [(d.name, d.id) for d in list_doctors(desk)])
        self.doctor.setObjectName("doctor")
        if doctor_id is not None:
            self.doctor.setCurrentIndex(max(0, self.doctor.findData(doctor_id)))
        self.doctor.currentIndexChanged.connect(lambda _index: self.reload())

        columns: Sequence[Column[AbsenceRow]] = (
            Column(N_("Doctor"), lambda a: a.staff_name),
            Column(N_("When"), absence_when),
            Column(N_("Reason"), lambda a: a.reason),
            Column(N_("Entered by"), lambda a: a.created_by),
        )
        self.absences_model: RowTableModel[AbsenceRow] = RowTableModel(columns, self)
        self.absences = row_table(self.absences_model, "absences")
        self.absences.selectionModel().currentRowChanged.connect(
            lambda _current, _previous: self.show_hits_of_selected())
        self.cancel_button = QPushButton(_("The doctor works after all: remove"),
                                         objectName="cancel_absence")
        self.cancel_button.clicked.connect(self.cancel_selected)

        self.first_day = date_edit(today)
        self.first_day.setObjectName("first_day")
        self.last_day = date_edit(today)
        self.last_day.setObjectName("last_day")
        self.first_day.dateChanged.connect(
            lambda day: self.last_day.setDate(max(day, self.last_day.date())))
        self.part_of_day = QCheckBox(_("only part of the day:"), objectName="part_of_day")
        self.from_time = QuarterTimeEdit(objectName="from_time")
        self.to_time = QuarterTimeEdit(objectName="to_time")
        for edit in (self.from_time, self.to_time):
            edit.set_range(opens, closes)
        self.from_time.set_value(opens)
        self.to_time.set_value(closes)
        self.part_of_day.toggled.connect(self._part_of_day_toggled)
        self.reason = QLineEdit(objectName="reason")
        self.reason.setPlaceholderText(_("leave, training, ill …"))
        self.add_button = QPushButton(_("Add the absence"), objectName="add_absence")
        self.add_button.clicked.connect(self.add)
        add_box = QGroupBox(_("New absence"))
        add_form = QFormLayout(add_box)
        general = QLabel(objectName="general_error")
        self.errors = FieldErrors(general)
        self.errors.add_row(add_form, _("From"), "start", side_by_side(self.first_day))
        self.errors.add_row(add_form, _("To"), "end", side_by_side(
            self.last_day, self.part_of_day, self.from_time, self.to_time))
        self.errors.add_row(add_form, _("Reason"), "reason", self.reason)
        add_form.addRow(general)
        add_form.addRow(self.add_button)
        self._part_of_day_toggled(False)

        hit_columns: Sequence[Column[CalendarBlock]] = (
            Column(N_("When"), lambda b: f"{format_date(b.starts_at.date(), 'short')} "
                                         f"{span_text(b.starts_at, b.ends_at)}"),
            Column(N_("Patient"), lambda b: b.patient_name),
            Column(N_("Phone"), lambda b: b.phone),
            Column(N_("Doctor"), lambda b: b.doctor_name),
            Column(N_("Visit kind"), lambda b: b.visit_kind),
            Column(N_("Appointment"), lambda b: status_label(b.status)),
        )
        self.hits_model: RowTableModel[CalendarBlock] = RowTableModel(hit_columns, self)
        self.hits = row_table(self.hits_model, "hit_appointments")
        self.hits_title = QLabel(objectName="hits_title")
        self.reschedule_button = QPushButton(_("Reschedule…"), objectName="reschedule_hit")
        self.reschedule_button.clicked.connect(self.reschedule_selected)
        self.hits.doubleClicked.connect(lambda _index: self.reschedule_selected())

        top = QHBoxLayout()
        top.addWidget(QLabel(_("Doctor")))
        top.addWidget(self.doctor, 1)
        top.addWidget(self.cancel_button)
        hits_top = QHBoxLayout()
        hits_top.addWidget(self.hits_title, 1)
        hits_top.addWidget(self.reschedule_button)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.absences, 1)
        layout.addWidget(add_box)
        layout.addLayout(hits_top)
        layout.addWidget(self.hits, 1)
        layout.addWidget(buttons)
        self.resize(900, 720)
        self.reload()

    def _part_of_day_toggled(self, on: bool) -> None:
        self.from_time.setEnabled(on)
        self.to_time.setEnabled(on)
        self.last_day.setEnabled(not on)

    def reload(self) -> None:
        self.absences_model.set_rows(schedules.list_absences(self.desk,
                                                             self.doctor.currentData()))
        self.cancel_button.setEnabled(False)

    def selected_absence(self) -> AbsenceRow | None:
        index = self.absences.currentIndex()
        return self.absences_model.row_at(index.row()) if index.isValid() else None

    def show_hits(self, blocks: Sequence[CalendarBlock]) -> None:
        self.hits_model.set_rows(blocks)
        self.hits_title.setText(ngettext(
            "{count} appointment falls in this absence: call the patient to move it.",
            "{count} appointments fall in this absence: call the patients to move them.",
            len(blocks)).format(count=len(blocks)) if blocks
            else _("No appointment falls in this absence."))
        if blocks:
            self.hits.selectRow(0)

    def show_hits_of_selected(self) -> None:
        absence = self.selected_absence()
        self.cancel_button.setEnabled(absence is not None)
        if absence is not None:
            self.show_hits(schedules.appointments_hit(self.desk, absence.id))

    def period(self) -> tuple[date, date] | tuple[datetime, datetime]:
        first = chosen_date(self.first_day)
        if not self.part_of_day.isChecked():
            return first, chosen_date(self.last_day)
        return (local_moment(first, self.from_time.value(), self.tz),
                local_moment(first, self.to_time.value(), self.tz))

    def add(self) -> bool:
        doctor_id = self.doctor.currentData()
        if doctor_id is None:
            self.errors.show_general(_("Choose the doctor first."))
            return False
        result: list[schedules.AbsenceResult] = []
        if not self.errors.run(lambda: result.append(schedules.add_absence(
                self.desk, self.actor, doctor_id, *self.period(), self.reason.text()))):
            return False
        self.reason.clear()
        self.reload()
        for index in range(self.absences_model.rowCount()):
            if self.absences_model.row_at(index).id == result[0].absence_id:
                self.absences.selectRow(index)
        self.show_hits(result[0].hit_appointments)
        return True

    def cancel_selected(self) -> None:
        absence = self.selected_absence()
        if absence is None or not messages.confirm(
                self, _("Days off and absences"),
                _("Remove the absence of {name} ({when})?").format(
                    name=absence.staff_name, when=absence_when(absence))):
            return
        self.errors.run(lambda: schedules.cancel_absence(self.desk, self.actor, absence.id))
        self.reload()
        self.hits_model.set_rows([])
        self.hits_title.clear()

    def reschedule_selected(self) -> bool:
        index = self.hits.currentIndex()
        if not index.isValid():
            return False
        block = self.hits_model.row_at(index.row())
        if not RescheduleDialog(self.desk, self.actor, block, self).exec():
            return False
        absence = self.selected_absence()
        if absence is not None:
            self.show_hits(schedules.appointments_hit(self.desk, absence.id))
        return True
