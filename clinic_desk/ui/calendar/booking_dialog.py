"""Booking an appointment: on the spot after a visit, from the queue, the cash desk's "next
visit", or by phone. The service checks everything; its refusals appear at their fields."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QCheckBox, QHBoxLayout, QLabel, QLineEdit, QListWidget,
                               QListWidgetItem, QPushButton, QSpinBox, QVBoxLayout, QWidget)

from clinic_desk.clock import zone
from clinic_desk.i18n import format_date, format_time, gettext as _, ngettext
from clinic_desk.models import UNIT_MINUTES
from clinic_desk.services.calendar import (MAX_UNITS, UNIT, BookingRequest, FreeSlot,
                                           PatientOverlap, book, day_view, default_units,
                                           free_slots)
from clinic_desk.services.catalog import list_visit_kinds
from clinic_desk.services.checkin import CheckInRequest, list_doctors, propose_check_in
from clinic_desk.services.context import Actor, Desk
from clinic_desk.services.errors import ValidationError
from clinic_desk.services.patients import PatientSummary
from clinic_desk.services.settings import get_settings, opening_hours
from clinic_desk.ui import messages
from clinic_desk.ui.calendar.patient_picker import PatientPicker
from clinic_desk.ui.calendar.time_inputs import (QuarterTimeEdit, chosen_date, date_edit,
                                                 local_moment, set_date, side_by_side)
from clinic_desk.ui.form_dialog import FormDialog
from clinic_desk.ui.reception.summary import summary_line
from clinic_desk.ui.widgets import data_combo, select_data

SLOT_ROLE = Qt.ItemDataRole.UserRole + 1
T = TypeVar("T")


def confirming_overlap(parent: QWidget, action: Callable[[bool], T]) -> T:
    """Run a booking or a move; when the patient is booked elsewhere at that time, ask, and
    run it again allowing the overlap (it stays refused if the desk says no)."""
    try:
        return action(False)
    except PatientOverlap as overlap:
        if not messages.confirm(parent, _("The patient is booked at this time"),
                                overlap.message):
            raise
        return action(True)


def length_text(units: int, starts_at: datetime) -> str:
    """"45 min, until 09:45"."""
    minutes = units * UNIT_MINUTES
    return ngettext("{minutes} min, until {time}", "{minutes} min, until {time}",
                    minutes).format(minutes=minutes,
                                    time=format_time(starts_at + units * UNIT,
                                                     tz=starts_at.tzinfo))  # type: ignore[arg-type]


class BookingDialog(FormDialog):
    """`appointment_id` is set once the appointment is booked."""

    def __init__(self, desk: Desk, actor: Actor, parent: QWidget | None = None, *,
                 patient_id: int | None = None, doctor_id: int | None = None,
                 starts_at: datetime | None = None, units: int | None = None,
                 room_id: int | None = None,
                 book_with: Callable[[BookingRequest], int | None] | None = None) -> None:
        """`book_with` books in another use case's transaction (a call that books)."""
        super().__init__(_("Book an appointment"), parent)
        self.desk, self.actor = desk, actor
        self.book_with = book_with or (lambda request: book(desk, actor, request))
        self.appointment_id: int | None = None
        self._doctor_given = doctor_id is not None
        settings = get_settings(desk)
        self.tz = zone(settings.timezone)
        self.opens, self.closes = opening_hours(settings)
        now = desk.clock.now().astimezone(self.tz)
        start = (starts_at or self._next_start(now)).astimezone(self.tz)

        self.patient = PatientPicker(desk, actor)
        self.patient.chosen.connect(self._patient_chosen)
        self.patient_line = QLabel(objectName="patient_line")
        self.patient_line.setProperty("role", "hint")
        patient_box = QWidget()
        patient_layout = QVBoxLayout(patient_box)
        patient_layout.setContentsMargins(0, 0, 0, 0)
        patient_layout.addWidget(self.patient)
        patient_layout.addWidget(self.patient_line)

        self.doctor = data_combo((d.name, d.id) for d in list_doctors(desk))
        self.doctor.setObjectName("doctor")
        select_data(self.doctor, doctor_id)
        self.chair = None
        if settings.calendar_by_chair:
            chairs = day_view(desk, start.date(), by_chair=True).columns
            self.chair = data_combo((c.title, c.key) for c in chairs)
            self.chair.setObjectName("chair")
            select_data(self.chair, room_id)
        self.day = date_edit(start.date())
        self.day.setObjectName("day")
        self.time = QuarterTimeEdit(objectName="time")
        last = (datetime.combine(start.date(), self.closes) - UNIT).time()
        self.time.set_range(self.opens, last)
        self.time.set_value(start.time())
        when = side_by_side(self.day, self.time)

        self.kind = data_combo((k.name, k.id) for k in list_visit_kinds(desk) if k.active)
        self.kind.setObjectName("visit_kind")
        self.units = QSpinBox(objectName="units", minimum=1, maximum=MAX_UNITS)
        self.length = QLabel(objectName="length")
        length = side_by_side(self.units, self.length, stretch=1)
        self.note = QLineEdit(objectName="note")

        self.any_doctor = QCheckBox(_("any doctor"), objectName="any_doctor")
        self.find_button = QPushButton(_("Find the next free slots"), objectName="find_slots")
        self.find_button.clicked.connect(self.find_slots)
        self.slots = QListWidget(objectName="free_slots")
        self.slots.setMaximumHeight(120)
        self.slots.hide()
        self.slots.currentItemChanged.connect(lambda item, _previous: self.use_slot(item))
        finder = QWidget()
        finder_layout = QVBoxLayout(finder)
        finder_layout.setContentsMargins(0, 0, 0, 0)
        finder_row = QHBoxLayout()
        finder_row.addWidget(self.find_button)
        finder_row.addWidget(self.any_doctor)
        finder_row.addStretch()
        finder_layout.addLayout(finder_row)
        finder_layout.addWidget(self.slots)

        self.add_row(_("Patient"), "patient_id", patient_box)
        self.add_row(_("Visit kind"), "visit_kind_id", self.kind)
        self.add_row(_("Doctor"), "doctor_id", self.doctor)
        if self.chair is not None:
            self.add_row(_("Chair"), "room_id", self.chair)
        self.add_row(_("Starts"), "starts_at", when)
        self.add_row(_("Length in units of 15 min"), "units", length)
        self.add_row(_("Note"), "note", self.note)
        self.add_row(_("Free slots"), "free_slots", finder)
        self.finish_layout()
        self.setMinimumWidth(620)

        self.kind.currentIndexChanged.connect(self._kind_chosen)
        for signal in (self.units.valueChanged, self.time.timeChanged, self.day.dateChanged):
            signal.connect(self._show_length)
        self._kind_chosen()
        if patient_id is not None:
            self.patient.show_patient(patient_id)
        else:
            self._patient_chosen(None)
            self.patient.search.setFocus()
        if units is not None:
            self.units.setValue(units)

    def _next_start(self, now: datetime) -> datetime:
        """The next quarter hour today if the clinic is still open, else tomorrow's opening."""
        quarter = now.replace(second=0, microsecond=0) + timedelta(
            minutes=-now.minute % UNIT_MINUTES)
        if quarter.time() >= self.opens and (quarter + UNIT).time() <= self.closes \
                and quarter.date() == now.date():
            return quarter
        day = now.date() + timedelta(days=1 if now.time() >= self.opens else 0)
        return local_moment(day, self.opens, self.tz)

    # --- reacting to choices ---------------------------------------------------------------

    def _patient_chosen(self, patient: PatientSummary | None) -> None:
        if patient is None:
            self.patient_line.setText(_("Find the patient, or register a new one."))
            return
        self.patient_line.setText(summary_line(patient, self.starts_at().date()))
        proposal = propose_check_in(self.desk, CheckInRequest(patient_id=patient.id))
        if not self._doctor_given:
            select_data(self.doctor, proposal.regular_doctor_id)
        self.kind.blockSignals(True)
        select_data(self.kind, proposal.visit_kind_id)
        self.kind.blockSignals(False)
        self._kind_chosen()

    def _kind_chosen(self) -> None:
        """Offer the usual length: one unit for a new patient, else the visit kind's."""
        patient = self.patient.selected()
        self.units.setValue(default_units(self.desk, patient.id if patient else None,
                                          self.kind.currentData()))
        self._show_length()

    def _show_length(self) -> None:
        self.length.setText(length_text(self.units.value(), self.starts_at()))

    def starts_at(self) -> datetime:
        return local_moment(chosen_date(self.day), self.time.value(), self.tz)

    # --- free slots ------------------------------------------------------------------------

    def find_slots(self) -> None:
        """The next free slots of this length, for the chosen doctor or for anyone."""
        doctor_id = None if self.any_doctor.isChecked() else self.doctor.currentData()
        after = max(self.starts_at(), self.desk.clock.now())
        found = free_slots(self.desk, self.units.value(), doctor_id, after)
        names = {self.doctor.itemData(i): self.doctor.itemText(i)
                 for i in range(self.doctor.count())}
        self.slots.blockSignals(True)
        self.slots.clear()
        for slot in found:
            local = slot.starts_at.astimezone(self.tz)
            item = QListWidgetItem(f"{format_date(local.date(), 'full')} "
                                   f"{format_time(local, tz=self.tz)} · "
                                   f"{names.get(slot.doctor_id, '')}")
            item.setData(SLOT_ROLE, slot)
            self.slots.addItem(item)
        self.slots.blockSignals(False)
        self.slots.setVisible(True)
        if not found:
            self.errors.show(ValidationError.single(
                "free_slots", _("No free slot of this length in the coming weeks.")))

    def use_slot(self, item: QListWidgetItem | None) -> None:
        if item is None:
            return
        slot: FreeSlot = item.data(SLOT_ROLE)
        local = slot.starts_at.astimezone(self.tz)
        select_data(self.doctor, slot.doctor_id)
        set_date(self.day, local.date())
        self.time.set_value(local.time())

    # --- booking ---------------------------------------------------------------------------

    def request(self) -> BookingRequest:
        patient = self.patient.selected()
        if patient is None:
            raise ValidationError.single("patient_id",
                                         _("Find the patient, or register a new one."))
        return BookingRequest(
            patient_id=patient.id, doctor_id=self.doctor.currentData(),
            starts_at=self.starts_at(), units=self.units.value(),
            visit_kind_id=self.kind.currentData(), note=self.note.text().strip(),
            room_id=self.chair.currentData() if self.chair is not None else None)

    def submit(self) -> None:
        request = self.request()
        self.appointment_id = confirming_overlap(self, lambda allow: self.book_with(
            replace(request, allow_patient_overlap=allow)))
