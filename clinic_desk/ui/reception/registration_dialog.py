"""Registering a patient, or editing a registered one, with the duplicate warning; and
completing the details of a patient registered by phone when they arrive."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (QCheckBox, QDialog, QDialogButtonBox, QHBoxLayout, QLabel,
                               QLineEdit, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout,
                               QWidget)

from clinic_desk.i18n import gettext as _
from clinic_desk.services import catalog, patients
from clinic_desk.services.checkin import list_doctors
from clinic_desk.services.context import Actor, Desk
from clinic_desk.services.errors import ValidationError
from clinic_desk.services.national_id import check_national_id
from clinic_desk.services.patients import DuplicatePatient, PatientForm, PatientSummary
from clinic_desk.ui.form_dialog import FormDialog
from clinic_desk.ui.reception.summary import summary_line
from clinic_desk.ui.widgets import SEX_NAMES, data_combo, select_data


class DuplicateDialog(QDialog):
    """"This patient may already be registered": use the existing record in one step."""

    def __init__(self, matches: list[PatientSummary], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.chosen_id: int | None = None
        self.register_anyway = False
        self.setWindowTitle(_("Already registered?"))
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(_("These patients have the same phone, or the same name and "
                                  "date of birth:")))
        self.matches = QListWidget(objectName="matches")
        for match in matches:
            item = QListWidgetItem(summary_line(match))
            item.setData(256, match.id)
            self.matches.addItem(item)
        self.matches.setCurrentRow(0)
        self.matches.itemActivated.connect(lambda _item: self.use_selected())
        layout.addWidget(self.matches)
        buttons = QDialogButtonBox()
        self.use_button = QPushButton(_("Use this patient"), objectName="use")
        self.use_button.setDefault(True)
        self.new_button = QPushButton(_("Register as a new patient"), objectName="register_new")
        buttons.addButton(self.use_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.new_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.use_button.clicked.connect(self.use_selected)
        self.new_button.clicked.connect(self.choose_register_anyway)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def use_selected(self) -> None:
        item = self.matches.currentItem()
        if item is not None:
            self.chosen_id = int(item.data(256))
            self.accept()

    def choose_register_anyway(self) -> None:
        self.register_anyway = True
        self.accept()


def registering(parent: QWidget, duplicate_dialog: type[DuplicateDialog],
                register: Callable[[bool], int]) -> int | None:
    """Run `register(allow_duplicate)`; when the patient may be on file already, the desk
    uses the existing record or registers anyway. Cancelling re-raises the warning, which
    the form shows and stays open."""
    try:
        return register(False)
    except DuplicatePatient as duplicate:
        dialog = duplicate_dialog(duplicate.matches, parent)
        if not dialog.exec():
            raise
        return register(True) if dialog.register_anyway else dialog.chosen_id


class RegistrationDialog(FormDialog):
    """New patient when `patient_id` is None, else an edit; `patient_id` is set on success.

    `complete`: the patient registered by phone has arrived; the missing sex and date of
    birth are required now.
    """

    #: Tests replace this to answer the duplicate warning.
    duplicate_dialog = DuplicateDialog

    def __init__(self, desk: Desk, actor: Actor, patient_id: int | None = None,
                 name: str = "", parent: QWidget | None = None, *,
                 complete: bool = False) -> None:
        title = (_("Register a patient") if patient_id is None
                 else _("Complete the patient's details") if complete else _("Edit patient"))
        super().__init__(title, parent)
        self.desk, self.actor, self.patient_id = desk, actor, patient_id
        self.complete = complete
        form = patients.patient_form(desk, patient_id) if patient_id else None
        self.missing = patients.missing_details(form) if form else ()
        self.name = QLineEdit(form.name if form else name, objectName="name")
        self.sex = data_combo([("", None)] + [(_(t), s) for s, t in SEX_NAMES.items()])
        self.sex.setObjectName("sex")
        self.birth_date = QLineEdit(form.birth_date.isoformat() if form and form.birth_date
                                    else "", objectName="birth_date")
        self.birth_date.setPlaceholderText(_("YYYY-MM-DD"))
        self.phone = QLineEdit(form.phone if form else "", objectName="phone")
        self.national_id = QLineEdit(form.national_id if form else "", objectName="national_id")
        self.national_id.setPlaceholderText(_("optional; fills in date of birth and sex"))
        self.national_id.editingFinished.connect(self.fill_from_id)
        self.address = QLineEdit(form.address if form else "", objectName="address")
        self.referral = data_combo([("", None)] + [
            (r.name, r.id) for r in catalog.list_referral_sources(desk, active_only=True)])
        self.doctor = data_combo([("", None)] + [(d.name, d.id) for d in list_doctors(desk)])
        self.vip = QCheckBox(_("VIP: sees the doctor without waiting"), objectName="vip")
        self.condition_boxes: dict[int, QCheckBox] = {}
        conditions = QWidget()
        conditions_layout = QHBoxLayout(conditions)
        conditions_layout.setContentsMargins(0, 0, 0, 0)
        for kind in catalog.list_condition_kinds(desk, active_only=True):
            box = QCheckBox(kind.name, objectName=f"condition_{kind.id}")
            box.setStyleSheet(f"QCheckBox {{ color: {kind.colour}; font-weight: 600; }}")
            self.condition_boxes[kind.id] = box
            conditions_layout.addWidget(box)
        conditions_layout.addStretch()
        self.notes = QLineEdit(form.notes if form else "", objectName="notes")
        self.record_number = QLineEdit(form.record_number if form else "",
                                       objectName="record_number")
        self.record_number.setPlaceholderText(_("automatic"))
        if form:
            self.record_number.setReadOnly(True)
            select_data(self.sex, form.sex)
            select_data(self.referral, form.referral_source_id)
            select_data(self.doctor, form.preferred_doctor_id)
            self.vip.setChecked(form.vip)
            for kind_id, box in self.condition_boxes.items():
                box.setChecked(kind_id in form.condition_kind_ids)
        self.reason = QLineEdit(objectName="reason")
        if self.missing:
            hint = QLabel(_("Registered by phone with name and phone only: ask for the sex "
                            "and the date of birth.") if complete else
                          _("Registered by phone with name and phone only: the sex and the "
                            "date of birth are asked when the patient arrives."),
                          objectName="missing_hint")
            hint.setWordWrap(True)
            hint.setProperty("role", "hint")
            self.layout_.insertWidget(0, hint)
        self.add_row(_("Full name"), "name", self.name)
        self.add_row(_("Sex"), "sex", self.sex)
        self.add_row(_("Date of birth"), "birth_date", self.birth_date)
        self.add_row(_("Phone"), "phone", self.phone)
        self.add_row(_("ID number"), "national_id", self.national_id)
        self.add_row(_("Conditions"), "conditions", conditions)
        self.add_row(_("Address"), "address", self.address)
        self.add_row(_("Heard of us through"), "referral_source", self.referral)
        self.add_row(_("Preferred doctor"), "preferred_doctor", self.doctor)
        self.add_row("", "vip", self.vip)
        self.add_row(_("Notes"), "notes", self.notes)
        self.add_row(_("Record number"), "record_number", self.record_number)
        if patient_id is not None and not complete:
            self.add_row(_("Reason for the change"), "reason", self.reason)
        self.finish_layout()
        first_missing = {"sex": self.sex, "birth_date": self.birth_date}.get(
            self.missing[0]) if complete and self.missing else None
        (first_missing or self.name).setFocus()

    def fill_from_id(self) -> None:
        """A valid ID number fills in the date of birth and the sex."""
        if not self.national_id.text().strip():
            return
        try:
            facts = check_national_id(self.national_id.text(), patients.today(self.desk))
        except ValidationError as error:
            self.errors.show(error)
            return
        self.errors.clear()
        self.birth_date.setText(facts.birth_date.isoformat())
        select_data(self.sex, facts.sex)

    def form_data(self) -> PatientForm:
        return PatientForm(
            name=self.name.text(), sex=self.sex.currentData(),
            birth_date=patients.read_date(self.birth_date.text(), "birth_date"),
            phone=self.phone.text(), national_id=self.national_id.text(),
            address=self.address.text(), referral_source_id=self.referral.currentData(),
            preferred_doctor_id=self.doctor.currentData(), vip=self.vip.isChecked(),
            notes=self.notes.text(),
            condition_kind_ids=frozenset(k for k, b in self.condition_boxes.items()
                                         if b.isChecked()),
            record_number=self.record_number.text())

    def submit(self) -> None:
        form = self.form_data()
        if self.patient_id is not None:
            patients.update_patient(self.desk, self.actor, self.patient_id, form,
                                    self.reason.text(), complete=self.complete)
            return
        self.patient_id = registering(self, self.duplicate_dialog, lambda allow: (
            patients.register_patient(self.desk, self.actor, form, allow)))


def complete_details(desk: Desk, actor: Actor, patient_id: int, parent: QWidget) -> bool:
    """Before a patient registered by phone is checked in, the desk completes the details.
    False when the desk cancelled: the patient is then not checked in."""
    if not patients.get_summary(desk, patient_id).details_missing:
        return True
    return bool(RegistrationDialog(desk, actor, patient_id, parent=parent,
                                   complete=True).exec())
