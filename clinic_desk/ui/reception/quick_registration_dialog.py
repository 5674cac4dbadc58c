"""Quick registration of a caller booking by phone: name and phone, checked as at the desk,
with the same warning when the phone is already on file. The sex and the date of birth are
asked when the patient arrives."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QLineEdit, QWidget

from clinic_desk.i18n import gettext as _
from clinic_desk.services import patients
from clinic_desk.services.context import Actor, Desk
from clinic_desk.ui.form_dialog import FormDialog
from clinic_desk.ui.reception.registration_dialog import DuplicateDialog, registering


class QuickRegistrationDialog(FormDialog):
    """`patient_id` is set on success: the new record, or the existing one the desk chose."""

    #: Tests replace this to answer the duplicate warning.
    duplicate_dialog = DuplicateDialog

    def __init__(self, desk: Desk, actor: Actor, name: str = "", phone: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(_("Quick registration"), parent)
        self.desk, self.actor = desk, actor
        self.patient_id: int | None = None
        hint = QLabel(_("For a caller booking by phone: the sex and the date of birth are "
                        "asked when the patient arrives."), objectName="quick_hint")
        hint.setWordWrap(True)
        hint.setProperty("role", "hint")
        self.layout_.insertWidget(0, hint)
        self.name = QLineEdit(name, objectName="name")
        self.phone = QLineEdit(phone, objectName="phone")
        self.add_row(_("Full name"), "name", self.name)
        self.add_row(_("Phone"), "phone", self.phone)
        self.finish_layout()
        (self.phone if name and not phone else self.name).setFocus()

    def submit(self) -> None:
        name, phone = self.name.text(), self.phone.text()
        self.patient_id = registering(self, self.duplicate_dialog, lambda allow: (
            patients.quick_register_patient(self.desk, self.actor, name, phone, allow)))
