"""Choosing the patient of a booking: the reception's type-ahead search, or registering the
caller on the spot with the name or phone just typed: in full, or quickly with name and
phone only (the rest is asked on arrival)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from clinic_desk.i18n import gettext as _
from clinic_desk.services import patients
from clinic_desk.services.context import Actor, Desk
from clinic_desk.ui.reception.patient_search import PatientSearchWidget
from clinic_desk.ui.reception.quick_registration_dialog import QuickRegistrationDialog
from clinic_desk.ui.reception.registration_dialog import RegistrationDialog

#: Of the reception's result columns, the ones a booking needs to tell patients apart.
HIDDEN_COLUMNS = (3, 5)  # sex, date of birth
VISIBLE_ROWS = 5


class PatientPicker(PatientSearchWidget):
    """Search box, a few results, and "Quick register…" or "Register new…" for a caller not
    yet on file."""

    chosen = Signal(object)  # PatientSummary | None

    #: Tests replace this to fill in and accept the registration form.
    registration_dialog = RegistrationDialog

    def __init__(self, desk: Desk, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(desk, _("Record number, phone or its last 4 digits, name, "
                                 "or pinyin"), "patient_search", "patient_results", parent)
        self.actor = actor
        self.quick_button = QPushButton(_("Quick register…"), objectName="quick_register")
        self.quick_button.setToolTip(_("Name and phone only; the rest when the patient arrives"))
        self.quick_button.clicked.connect(self.quick_register)
        self.register_button = QPushButton(_("Register new…"), objectName="register_patient")
        self.register_button.clicked.connect(self.register)
        for column in HIDDEN_COLUMNS:
            self.results.setColumnHidden(column, True)
        self.results.setFixedHeight(self.results.horizontalHeader().sizeHint().height()
                                    + VISIBLE_ROWS * self.results.verticalHeader()
                                    .defaultSectionSize() + 4)
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.quick_button)
        top.addWidget(self.register_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.results)

    def show_selected(self) -> None:
        self.chosen.emit(self.selected())

    def typed(self) -> tuple[str, str]:
        """(name, phone) from the search box: a phone number, or a name in Chinese (pinyin
        initials are no name)."""
        typed = self.search.text().strip()
        if typed and patients.normalise_phone(typed) is not None:
            return "", typed
        return (typed if not typed.isascii() else ""), ""

    def register(self) -> None:
        """Register the caller in full, with what was typed filled in."""
        name, phone = self.typed()
        dialog = self.registration_dialog(self.desk, self.actor, name=name, parent=self)
        dialog.phone.setText(phone)
        self._show_registered(dialog)

    def quick_register(self) -> None:
        """Register the caller with name and phone only."""
        name, phone = self.typed()
        self._show_registered(QuickRegistrationDialog(self.desk, self.actor, name, phone, self))

    def _show_registered(self, dialog: RegistrationDialog | QuickRegistrationDialog) -> None:
        if dialog.exec() and dialog.patient_id is not None:
            self.show_patient(dialog.patient_id)
