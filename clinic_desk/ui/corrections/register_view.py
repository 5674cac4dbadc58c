"""The correction register on screen: every correction of the chosen days, the full texts of
the one selected, and Print… (the A4 register through the document preview)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QHeaderView, QLabel, QPushButton, QVBoxLayout, QWidget

from clinic_desk.clock import zone
from clinic_desk.i18n import N_, gettext as _, ngettext
from clinic_desk.printing.correction_register import (REGISTER_PAPER,
                                                      CorrectionRegisterDocument,
                                                      period_text, render_correction_register)
from clinic_desk.printing.layout import ExportCancelled, local_date_time
from clinic_desk.services import patients
from clinic_desk.services.context import Actor, Desk
from clinic_desk.services.corrections import (ENTRY_KIND_NAMES, CorrectionRow, describe_entry,
                                              list_corrections)
from clinic_desk.services.settings import ClinicSettings, get_settings
from clinic_desk.ui.background import BackgroundTask
from clinic_desk.ui.calendar.time_inputs import chosen_date, date_edit
from clinic_desk.ui.document_output import DocumentKind, present_document
from clinic_desk.ui.live import ChangeWatcher
from clinic_desk.ui.table_model import Column, RowTableModel
from clinic_desk.ui.widgets import row_table

#: Columns of free text get this width; the details under the table show them whole.
_TEXT_WIDTH = 220


def wrong_text(row: CorrectionRow, currency: str) -> str:
    return describe_entry(row.wrong, currency, row.patient_id)


def right_text(row: CorrectionRow, currency: str) -> str:
    if row.right is None:
        return _("Nothing: reversed only")
    return describe_entry(row.right, currency, row.patient_id)


def register_columns(currency: str, timezone: str) -> Sequence[Column[CorrectionRow]]:
    tz = zone(timezone)
    return (
        Column(N_("No."), lambda r: r.number),
        Column(N_("Time"), lambda r: local_date_time(r.corrected_at, tz, "short")),
        Column(N_("Patient"), lambda r: f"{r.patient_name} ({r.record_number})"),
        Column(N_("Kind"), lambda r: _(ENTRY_KIND_NAMES[r.kind])),
        Column(N_("Wrong entry (reversed)"), lambda r: wrong_text(r, currency)),
        Column(N_("Posted instead"), lambda r: right_text(r, currency)),
        Column(N_("What was wrong"), lambda r: r.what_was_wrong),
        Column(N_("Why"), lambda r: r.reason),
        Column(N_("How it was corrected"), lambda r: r.how_corrected),
        Column(N_("Cashier"), lambda r: r.cashier_name),
        Column(N_("Approved by"), lambda r: r.approved_by_name),
    )


_TEXT_COLUMNS = (4, 5, 6, 7, 8)


class CorrectionRegisterView(QWidget):
    """Reloads when the clinic's data changes (this PC or another), if given a watcher."""

    def __init__(self, desk: Desk, actor: Actor, watcher: ChangeWatcher | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor = desk, actor
        self.setWindowTitle(_("Correction register"))
        self.settings: ClinicSettings = get_settings(desk)
        today = patients.today(desk)
        self.start = date_edit(today.replace(day=1))
        self.start.setObjectName("start")
        self.end = date_edit(today)
        self.end.setObjectName("end")
        for edit in (self.start, self.end):
            edit.dateChanged.connect(lambda _day: self.reload())
        self.print_button = QPushButton(_("Print…"), objectName="print")
        self.print_button.clicked.connect(self.print_register)
        self.count = QLabel(objectName="count")
        self.message = QLabel(objectName="message")
        self.message.setProperty("role", "field-error")
        self.rows: list[CorrectionRow] = []
        self.task: BackgroundTask[bytes] | None = None

        self.model = RowTableModel(register_columns(self.settings.currency,
                                                    self.settings.timezone), self)
        self.table = row_table(self.model, "corrections", stretch=None)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        for column in _TEXT_COLUMNS:
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, _TEXT_WIDTH)
        self.table.selectionModel().currentRowChanged.connect(
            lambda _current, _previous: self.show_selected())
        self.details = QLabel(objectName="details")
        self.details.setWordWrap(True)
        self.details.setTextFormat(Qt.TextFormat.PlainText)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        bar = QHBoxLayout()
        bar.addWidget(QLabel(_("From")))
        bar.addWidget(self.start)
        bar.addWidget(QLabel(_("to")))
        bar.addWidget(self.end)
        bar.addWidget(self.count, 1)
        bar.addWidget(self.print_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.details)
        layout.addWidget(self.message)
        if watcher is not None:
            watcher.changed.connect(lambda _stamp: self.reload())
        self.resize(1200, 600)
        self.reload()

    def period(self) -> tuple[date, date]:
        start, end = chosen_date(self.start), chosen_date(self.end)
        return (start, end) if start <= end else (end, start)

    def reload(self) -> None:
        selected = self.selected()
        start, end = self.period()
        self.rows = list_corrections(self.desk, start, end)
        self.model.set_rows(self.rows)
        self.count.setText(ngettext("{count} correction", "{count} corrections",
                                    len(self.rows)).format(count=len(self.rows)))
        numbers = [row.number for row in self.rows]
        if selected is not None and selected.number in numbers:
            self.table.selectRow(numbers.index(selected.number))
        self.show_selected()

    def selected(self) -> CorrectionRow | None:
        index = self.table.currentIndex()
        return self.model.row_at(index.row()) if index.isValid() else None

    def show_selected(self) -> None:
        row = self.selected()
        if row is None:
            self.details.setText(_("Choose a correction to read it in full."))
            return
        currency = self.settings.currency
        self.details.setText("\n".join((
            _("Wrong entry (reversed): {text}").format(text=wrong_text(row, currency)),
            _("Posted instead: {text}").format(text=right_text(row, currency)),
            _("What was wrong: {text}").format(text=row.what_was_wrong),
            _("Why: {text}").format(text=row.reason),
            _("How it was corrected: {text}").format(text=row.how_corrected))))

    def document(self) -> CorrectionRegisterDocument:
        start, end = self.period()
        clinic = self.settings
        return CorrectionRegisterDocument(
            clinic_name=clinic.clinic_name, clinic_address=clinic.address,
            clinic_phone=clinic.phone, start=start, end=end,
            printed_at=self.desk.clock.now(), printed_by=self.actor.name,
            timezone=clinic.timezone, currency=clinic.currency, rows=tuple(self.rows))

    def print_register(self) -> None:
        """The register in the clinic's language, as every filed document is, made on the
        worker thread (a year of corrections takes seconds), then shown in the preview."""
        if self.task is not None and self.task.running:
            return  # its progress dialog is showing
        document, language = self.document(), self.settings.language
        title = f"{_('Correction register')} {period_text(document.start, document.end)}"

        def failed(error: Exception) -> None:
            if not isinstance(error, ExportCancelled):
                self.message.setText(_("The register could not be made: {reason}").format(
                    reason=error))

        self.message.clear()
        self.task = BackgroundTask(
            self, _("Preparing the correction register…"),
            lambda progress: render_correction_register(document, language, progress),
            lambda pdf: present_document(self, DocumentKind.CORRECTION_REGISTER, pdf,
                                         REGISTER_PAPER, title), failed)
