"""The refund register (退款登记本) on screen: the refunds of a period, filtered by doctor and
reason, exported to PDF or XLSX and printed; a refund's slip reprinted as a copy.

Exports and the printed register are made on a worker thread with a progress dialog that
can cancel, so a year's register never freezes the window.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, QStandardPaths, Qt
from PySide6.QtWidgets import (QComboBox, QDateEdit, QFileDialog, QHBoxLayout, QHeaderView, QLabel,
                               QPushButton, QTableView, QVBoxLayout, QWidget)

from clinic_desk.clock import zone
from clinic_desk.i18n import N_, format_date, gettext as _
from clinic_desk.money import format_money
from clinic_desk.printing.day_export import ExportCancelled, ExportFormat
from clinic_desk.printing.refund_register import (PAPER, RefundRegisterDocument, period_text,
                                                  register_title, render_refund_register,
                                                  render_register_workbook, total_text)
from clinic_desk.services import catalog
from clinic_desk.services.checkin import list_doctors
from clinic_desk.services.context import Actor, Desk
from clinic_desk.services.patients import today
from clinic_desk.services.refunds import RefundRegisterRow, refund_register
from clinic_desk.services.settings import get_settings
from clinic_desk.ui.background import BackgroundTask, Progress
from clinic_desk.ui.document_output import DocumentKind, present_document
from clinic_desk.ui.live import ChangeWatcher
from clinic_desk.ui.refunds.slip import show_slip, slip_paper_combo
from clinic_desk.ui.table_model import Column, RowTableModel
from clinic_desk.ui.widgets import read_only_rows

ALL = None
#: Columns are sized from this many lines, never from every line of a year's register.
SIZE_SAMPLE = 50
_SUFFIXES = {ExportFormat.PDF: ".pdf", ExportFormat.XLSX: ".xlsx"}
_FILTERS = {ExportFormat.PDF: N_("PDF (*.pdf)"), ExportFormat.XLSX: N_("Excel workbook (*.xlsx)")}


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


class RefundRegisterView(QWidget):
    def __init__(self, desk: Desk, actor: Actor, watcher: ChangeWatcher | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor = desk, actor
        self.settings = get_settings(desk)
        self.task: BackgroundTask[bytes] | None = None
        tz = zone(self.settings.timezone)
        day = today(desk)

        self.start = QDateEdit(_qdate(day.replace(day=1)), objectName="start", calendarPopup=True)
        self.end = QDateEdit(_qdate(day), objectName="end", calendarPopup=True)
        self.doctor = QComboBox(objectName="doctor")
        self.doctor.addItem(_("All doctors"), ALL)
        for doctor in list_doctors(desk):
            self.doctor.addItem(doctor.name, doctor.id)
        self.reason = QComboBox(objectName="reason")
        self.reason.addItem(_("All reasons"), ALL)
        for reason in catalog.list_refund_reasons(desk):
            self.reason.addItem(reason.name, reason.id)
        for control in (self.start, self.end):
            control.setDisplayFormat("yyyy-MM-dd")
            control.dateChanged.connect(self.reload)
        for combo in (self.doctor, self.reason):
            combo.currentIndexChanged.connect(self.reload)

        def money(minor: int) -> str:
            return format_money(minor, self.settings.currency)

        columns: Sequence[Column[RefundRegisterRow]] = (
            Column(N_("Date"), lambda r: format_date(r.refunded_at.astimezone(tz).date(),
                                                     "short")),
            Column(N_("Slip no."), lambda r: r.number),
            Column(N_("Patient"), lambda r: f"{r.patient_name} · {r.record_number}"),
            Column(N_("First visit"), lambda r: format_date(r.first_visit, "short")
                   if r.first_visit else "—"),
            Column(N_("Reason"), lambda r: " · ".join(filter(None, (r.reason, r.item)))),
            Column(N_("Reason in detail"), lambda r: r.reason_detail),
            Column(N_("Total paid"), lambda r: money(r.total_paid), align_right=True),
            Column(N_("Refunded"), lambda r: money(r.amount), align_right=True),
            Column(N_("Refund method"), lambda r: r.method_name),
            Column(N_("Doctor"), lambda r: r.doctor_name),
            Column(N_("Manager"), lambda r: r.manager_name),
            Column(N_("Manager's opinion"), lambda r: r.opinion),
            Column(N_("Cashier"), lambda r: r.cashier_name),
            Column(N_("Receiver"), lambda r: r.receiver_name),
        )
        self.model: RowTableModel[RefundRegisterRow] = RowTableModel(columns, self)
        self.table = read_only_rows(QTableView(objectName="register"))
        self.table.setModel(self.model)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setResizeContentsPrecision(SIZE_SAMPLE)
        self.table.doubleClicked.connect(lambda _index: self.reprint_slip())
        self.total = QLabel(objectName="total")
        self.message = QLabel(objectName="message")
        self.message.setWordWrap(True)

        self.export_pdf_button = QPushButton(_("Export PDF…"), objectName="export_pdf")
        self.export_pdf_button.clicked.connect(lambda: self.export(ExportFormat.PDF))
        self.export_xlsx_button = QPushButton(_("Export XLSX…"), objectName="export_xlsx")
        self.export_xlsx_button.clicked.connect(lambda: self.export(ExportFormat.XLSX))
        self.print_button = QPushButton(_("Print…"), objectName="print")
        self.print_button.clicked.connect(self.print_register)
        self.reprint_button = QPushButton(_("Reprint slip…"), objectName="reprint_slip")
        self.reprint_button.clicked.connect(self.reprint_slip)
        self.slip_paper = slip_paper_combo()

        filters = QHBoxLayout()
        for label, widget in ((_("From"), self.start), (_("to"), self.end),
                              (_("Doctor"), self.doctor), (_("Reason"), self.reason)):
            filters.addWidget(QLabel(label))
            filters.addWidget(widget)
        filters.addStretch()
        actions = QHBoxLayout()
        for button in (self.export_pdf_button, self.export_xlsx_button, self.print_button):
            actions.addWidget(button)
        actions.addStretch()
        actions.addWidget(self.reprint_button)
        actions.addWidget(self.slip_paper)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.total)
        layout.addWidget(self.message)
        layout.addLayout(actions)
        self.setWindowTitle(register_title())
        self.resize(1200, 640)
        if watcher is not None:
            watcher.changed.connect(lambda _stamp: self.reload())
        self.reload()

    # --- the lines ----------------------------------------------------------------------------

    def period(self) -> tuple[date, date]:
        first, last = self.start.date(), self.end.date()
        return (date(first.year(), first.month(), first.day()),
                date(last.year(), last.month(), last.day()))

    def reload(self) -> None:
        first, last = self.period()
        self.model.set_rows(refund_register(self.desk, first, last, self.doctor.currentData(),
                                            self.reason.currentData()))
        if self.model.rowCount():
            self.table.resizeColumnsToContents()
        self.total.setText(total_text(self.document()))

    def rows(self) -> tuple[RefundRegisterRow, ...]:
        return tuple(self.model.row_at(i) for i in range(self.model.rowCount()))

    def document(self) -> RefundRegisterDocument:
        first, last = self.period()
        clinic = self.settings
        return RefundRegisterDocument(
            clinic_name=clinic.clinic_name, clinic_address=clinic.address,
            clinic_phone=clinic.phone, start=first, end=last,
            doctor_name=self.doctor.currentText() if self.doctor.currentData() else "",
            reason_name=self.reason.currentText() if self.reason.currentData() else "",
            currency=clinic.currency, timezone=clinic.timezone, made_at=self.desk.clock.now(),
            rows=self.rows())

    def selected(self) -> RefundRegisterRow | None:
        indexes = self.table.selectionModel().selectedRows()
        return self.model.row_at(indexes[0].row()) if indexes else None

    # --- leaving the program ------------------------------------------------------------------

    def _say(self, text: str) -> None:
        self.message.setText(text)

    def _in_background(self, label: str, work: Callable[[Progress], bytes],
                       done: Callable[[bytes], None]) -> None:
        if self.task is not None and self.task.running:
            return  # one export at a time; its progress dialog is showing

        def failed(error: Exception) -> None:
            if not isinstance(error, ExportCancelled):
                self._say(_("The register could not be made: {reason}").format(reason=error))

        self._say("")
        self.task = BackgroundTask(self, label, work, done, failed)

    def export(self, kind: ExportFormat) -> None:
        folder = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation)
        name = f"{register_title()} {period_text(self.document())}{_SUFFIXES[kind]}"
        path, _filter = QFileDialog.getSaveFileName(
            self, _("Export the refund register"), str(Path(folder) / name), _(_FILTERS[kind]))
        if path:
            self.export_to(Path(path), kind)

    def export_to(self, path: Path, kind: ExportFormat) -> None:
        """Make the file on a worker thread; say where it went, or why it did not."""
        if path.suffix.lower() != _SUFFIXES[kind]:
            path = path.with_name(path.name + _SUFFIXES[kind])
        document, language = self.document(), self.settings.language
        render = render_refund_register if kind == ExportFormat.PDF else \
            render_register_workbook

        def saved(content: bytes) -> None:
            try:
                path.write_bytes(content)
            except OSError as error:
                self._say(_("The file could not be saved: {reason}").format(
                    reason=error.strerror or str(error)))
                return
            self._say(_("Saved as {path}.").format(path=str(path)))

        self._in_background(_("Exporting the refund register…"),
                            lambda progress: render(document, language, progress), saved)

    def print_register(self) -> None:
        document, language = self.document(), self.settings.language
        title = f"{register_title()} {period_text(document)}"
        self._in_background(
            _("Preparing the refund register…"),
            lambda progress: render_refund_register(document, language, progress),
            lambda pdf: present_document(self, DocumentKind.REFUND_REGISTER, pdf, PAPER, title))

    def reprint_slip(self) -> None:
        row = self.selected()
        if row is None:
            self._say(_("Choose a refund in the register first."))
            return
        show_slip(self, self.desk, self.actor, row.refund_id, self.slip_paper.currentData())


def register_window(parent: QWidget, desk: Desk, actor: Actor,
                    watcher: ChangeWatcher | None) -> RefundRegisterView:
    """The register as a window of its own beside the workspaces (shown by the caller)."""
    view = RefundRegisterView(desk, actor, watcher, parent)
    view.setWindowFlag(Qt.WindowType.Window, True)
    return view
