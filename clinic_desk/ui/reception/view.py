"""The reception workspace, used all day with a phone in one hand: type to find a patient,
Enter to check in, F2 to register, F4 to edit; everything works without the mouse. A patient
registered by phone shows "details missing" and is completed before the check-in."""

from __future__ import annotations

from functools import partial
from html import escape

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from clinic_desk.i18n import gettext as _
from clinic_desk.services.context import Actor, Desk
from clinic_desk.services.patients import display_phone
from clinic_desk.ui.action_buttons import shortcut_action, shortcut_text
from clinic_desk.ui.badges import badge_html
from clinic_desk.ui.reception.check_in_dialog import CheckInDialog, rule_text
from clinic_desk.ui.reception.history_dialog import HistoryDialog
from clinic_desk.ui.reception.patient_search import PatientSearchWidget
from clinic_desk.ui.reception.registration_dialog import RegistrationDialog, complete_details
from clinic_desk.ui.reception.summary import age_text, sex_text


class _ResultKeys(QObject):
    """Up/Down in the search box move through the results; Enter checks in."""

    def __init__(self, view: ReceptionView) -> None:
        super().__init__(view)
        self.view = view

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key = event.key()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
                self.view.move_selection(1 if key == Qt.Key.Key_Down else -1)
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.view.check_in_selected()
                return True
            if key == Qt.Key.Key_Escape:
                self.view.search.clear()
                return True
        return False


class ReceptionView(PatientSearchWidget):
    checked_in = Signal(int)  # visit id

    def __init__(self, desk: Desk, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(desk, _("Record number, phone or its last 4 digits, name, or pinyin "
                                 "(zs finds 张三)"), "search", "results", parent)
        self.actor = actor
        self.search.installEventFilter(_ResultKeys(self))
        self.results.doubleClicked.connect(lambda _index: self.check_in_selected())

        self.details = QLabel(objectName="details")
        self.details.setWordWrap(True)
        self.details.setTextFormat(Qt.TextFormat.RichText)
        self.status = QLabel(objectName="status")
        self.status.setWordWrap(True)

        # The shortcuts work anywhere in this workspace; the main window lists the actions in
        # the Patient menu.
        action = partial(shortcut_action, self)
        self.find_action = action(_("Find patient"), "Ctrl+F", self.focus_search)
        self.register_action = action(_("Register new patient"), "F2", self.register)
        self.edit_action = action(_("Edit patient"), "F4", self.edit_selected)
        self.check_in_action = action(_("Check in"), "F5", self.check_in_selected)
        self.history_action = action(_("History"), "Ctrl+H", self.show_history)
        self.register_button = self._button(self.register_action)
        self.edit_button = self._button(self.edit_action)
        self.check_in_button = self._button(self.check_in_action)
        self.history_button = self._button(self.history_action)

        buttons = QHBoxLayout()
        for button in (self.register_button, self.edit_button, self.check_in_button,
                       self.history_button):
            buttons.addWidget(button)
        buttons.addStretch()
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addLayout(buttons)
        body = QHBoxLayout()
        body.addWidget(self.results, 3)
        side = QVBoxLayout()
        side.addWidget(self.details)
        side.addWidget(self.status)
        side.addStretch()
        body.addLayout(side, 1)
        layout.addLayout(body)
        self.show_selected()

    def menu_actions(self) -> list[QAction]:
        return [self.find_action, self.register_action, self.edit_action, self.check_in_action,
                self.history_action]

    @staticmethod
    def _button(action: QAction) -> QPushButton:
        label = shortcut_text(action)
        button = QPushButton(f"{action.text()} ({label})")
        button.setToolTip(f"{action.text()} — {label}")
        button.clicked.connect(action.trigger)
        action.enabledChanged.connect(button.setEnabled)
        return button

    def showEvent(self, event) -> None:  # type: ignore[no-untyped-def]  # noqa: N802
        super().showEvent(event)
        self.focus_search()

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def move_selection(self, step: int) -> None:
        if not self.model.rowCount():
            return
        current = self.results.currentIndex().row()
        row = max(0, min(self.model.rowCount() - 1, current + step))
        self.results.selectRow(row)

    def show_selected(self) -> None:
        patient = self.selected()
        for action in (self.edit_action, self.check_in_action, self.history_action):
            action.setEnabled(patient is not None)
        if patient is None:
            self.details.setText(_("Type to find a patient. F2 registers a new one."))
            return
        person = " · ".join(part for part in (
            sex_text(patient.sex), age_text(patient.birth_date, self.today)) if part)
        lines = [f"<h3>{escape(patient.name)}</h3>"
                 + badge_html(patient.flags, patient.vip, patient.details_missing),
                 escape(_("Record number: {number}").format(number=patient.record_number)),
                 escape(person), escape(display_phone(patient.phone))]
        if patient.details_missing:
            lines.append(escape(_("Registered by phone: the sex and the date of birth are "
                                  "asked at the check-in.")))
        self.details.setText("<br>".join(line for line in lines if line))

    def register(self) -> None:
        text = self.search.text().strip()
        dialog = RegistrationDialog(self.desk, self.actor,
                                    name=text if text and not text.isascii() else "", parent=self)
        if dialog.exec() and dialog.patient_id is not None:
            self.show_patient(dialog.patient_id)
            self.status.setText(_("Registered. Press Enter to check the patient in."))
        self.focus_search()

    def edit_selected(self) -> None:
        patient = self.selected()
        if patient is None:
            return
        dialog = RegistrationDialog(self.desk, self.actor, patient.id, parent=self)
        if dialog.exec():
            self.show_patient(patient.id)
            self.status.setText(_("Saved."))

    def check_in_selected(self) -> None:
        patient = self.selected()
        if patient is None:
            return
        if not complete_details(self.desk, self.actor, patient.id, self):
            self.focus_search()
            return
        if patient.details_missing:
            self.show_patient(patient.id)
        dialog = CheckInDialog(self.desk, self.actor, patient.id, self)
        if dialog.exec() and dialog.result_ is not None:
            doctor = dialog.doctor_names.get(dialog.result_.doctor_id, "")
            self.status.setText(_("{name} is checked in for {doctor} ({rule}).").format(
                name=patient.name, doctor=doctor, rule=rule_text(dialog.result_.rule)))
            self.checked_in.emit(dialog.result_.visit_id)
            self.search.clear()
        self.focus_search()

    def show_history(self) -> None:
        patient = self.selected()
        if patient is not None:
            HistoryDialog(self.desk, patient.id, patient.name, self).exec()
