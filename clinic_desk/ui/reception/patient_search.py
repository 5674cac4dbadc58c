"""The reception's type-ahead search: a search box, and the patients found in a table, looked
up a moment after the last keystroke. The reception workspace and the booking's patient
picker are both built on it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QLineEdit, QWidget

from clinic_desk.i18n import N_
from clinic_desk.services import patients
from clinic_desk.services.context import Desk
from clinic_desk.services.patient_search import search_patients
from clinic_desk.services.patients import PatientSummary, display_phone
from clinic_desk.ui.badges import FlagBadgeDelegate
from clinic_desk.ui.reception.summary import age_text, birth_text, sex_text
from clinic_desk.ui.table_model import Column, RowTableModel
from clinic_desk.ui.widgets import row_table

#: Typing pauses shorter than this are one search, not one per keystroke.
SEARCH_DELAY_MS = 120
FLAGS_COLUMN = 2


class PatientResultsModel(RowTableModel[PatientSummary]):
    def __init__(self, today: date, parent: QObject | None = None) -> None:
        super().__init__(self._columns(today), parent)

    @staticmethod
    def _columns(today: date) -> Sequence[Column[PatientSummary]]:
        return (
            Column(N_("Record number"), lambda p: p.record_number),
            Column(N_("Full name"), lambda p: p.name),
            Column(N_("Flags"), lambda p: " ".join(f.name for f in p.flags)),
            Column(N_("Sex"), lambda p: sex_text(p.sex)),
            Column(N_("Age"), lambda p: age_text(p.birth_date, today), align_right=True),
            Column(N_("Date of birth"), lambda p: birth_text(p.birth_date)),
            Column(N_("Phone"), lambda p: display_phone(p.phone)),
        )


class PatientSearchWidget(QWidget):
    """`search` and `results` for the subclass to lay out; it says what the selected
    patient means to it in `show_selected`, called whenever the selection may have
    changed."""

    def __init__(self, desk: Desk, placeholder: str, search_name: str, results_name: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.today = patients.today(desk)
        self.search = QLineEdit(objectName=search_name)
        self.search.setPlaceholderText(placeholder)
        self.search.setClearButtonEnabled(True)
        self._timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.run_search)
        self.search.textChanged.connect(lambda _text: self._timer.start())
        self.model = PatientResultsModel(self.today, self)
        self.results = row_table(self.model, results_name, stretch=FLAGS_COLUMN)
        self.results.setItemDelegateForColumn(FLAGS_COLUMN, FlagBadgeDelegate(self.results))
        self.results.selectionModel().currentRowChanged.connect(
            lambda _current, _previous: self.show_selected())

    def show_selected(self) -> None:
        raise NotImplementedError

    def run_search(self) -> None:
        self._timer.stop()
        self.model.set_rows(search_patients(self.desk, self.search.text()))
        if self.model.rowCount():
            self.results.selectRow(0)
        self.show_selected()

    def selected(self) -> PatientSummary | None:
        index = self.results.currentIndex()
        return self.model.row_at(index.row()) if index.isValid() else None

    def show_patient(self, patient_id: int) -> None:
        """Show one patient (just registered, edited or chosen elsewhere) as the only,
        selected result, its record number in the search box."""
        summary = patients.get_summary(self.desk, patient_id)
        self.search.blockSignals(True)
        self.search.setText(summary.record_number)
        self.search.blockSignals(False)
        self.model.set_rows([summary])
        self.results.selectRow(0)
        self.show_selected()
