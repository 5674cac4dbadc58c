"""Choosing the patient of a booking: the reception's type-ahead search, or registering the
caller on the spot with the name or phone just typed: in full, or quickly with name and
phone only (the rest is asked on arrival)."""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QLineEdit,
                               QPushButton, QTableView, QVBoxLayout, QWidget)

from clinic_desk.i18n import gettext as _
from clinic_desk.services import patients
from clinic_desk.services.context import Actor, Desk
from clinic_desk.services.patient_search import search_patients
from clinic_desk.services.patients import PatientSummary
from clinic_desk.ui.badges import FlagBadgeDelegate
from clinic_desk.ui.reception.quick_registration_dialog import QuickRegistrationDialog
from clinic_desk.ui.reception.registration_dialog import RegistrationDialog
from clinic_desk.ui.reception.view import FLAGS_COLUMN, SEARCH_DELAY_MS, PatientResultsModel

#: Of the reception's result columns, the ones a booking needs to tell patients apart.
HIDDEN_COLUMNS = (3, 5)  # sex, date of birth
VISIBLE_ROWS = 5


class PatientPicker(QWidget):
    """Search box, a few results, and "Quick register…" or "Register new…" for a caller not
    yet on file."""

    chosen = Signal(object)  # PatientSummary | None

    #: Tests replace this to fill in and accept the registration form.
    registration_dialog = RegistrationDialog

    def __init__(self, desk: Desk, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor = desk, actor
        self.search = QLineEdit(objectName="patient_search")
        self.search.setPlaceholderText(_("Record number, phone or its last 4 digits, name, "
                                         "or pinyin"))
        self.search.setClearButtonEnabled(True)
        self._timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.run_search)
        self.search.textChanged.connect(lambda _text: self._timer.start())
        self.quick_button = QPushButton(_("Quick register…"), objectName="quick_register")
        self.quick_button.setToolTip(_("Name and phone only; the rest when the patient arrives"))
        self.quick_button.clicked.connect(self.quick_register)
        self.register_button = QPushButton(_("Register new…"), objectName="register_patient")
        self.register_button.clicked.connect(self.register)
        self.model = PatientResultsModel(patients.today(desk), self)
        self.results = QTableView(objectName="patient_results")
        self.results.setModel(self.model)
        self.results.setItemDelegateForColumn(FLAGS_COLUMN, FlagBadgeDelegate(self.results))
        for column in HIDDEN_COLUMNS:
            self.results.setColumnHidden(column, True)
        self.results.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.results.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.results.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.results.verticalHeader().hide()
        self.results.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        self.results.horizontalHeader().setSectionResizeMode(
            FLAGS_COLUMN, QHeaderView.ResizeMode.Stretch)
        self.results.setFixedHeight(self.results.horizontalHeader().sizeHint().height()
                                    + VISIBLE_ROWS * self.results.verticalHeader()
                                    .defaultSectionSize() + 4)
        self.results.selectionModel().currentRowChanged.connect(
            lambda _current, _previous: self.chosen.emit(self.selected()))
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.quick_button)
        top.addWidget(self.register_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.results)

    def run_search(self) -> None:
        self._timer.stop()
        self.model.set_rows(search_patients(self.desk, self.search.text()))
        if self.model.rowCount():
            self.results.selectRow(0)
        self.chosen.emit(self.selected())

    def selected(self) -> PatientSummary | None:
        index = self.results.currentIndex()
        return self.model.row_at(index.row()) if index.isValid() else None

    def show_patient(self, patient_id: int) -> None:
        """Show one known patient as the only, chosen result."""
        summary = patients.get_summary(self.desk, patient_id)
        self.search.blockSignals(True)
        self.search.setText(summary.record_number)
        self.search.blockSignals(False)
        self.model.set_rows([summary])
        self.results.selectRow(0)
        self.chosen.emit(summary)

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
