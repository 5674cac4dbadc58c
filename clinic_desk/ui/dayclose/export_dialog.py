"""The manager's export of a day or a range of days: PDF, XLSX or CSV to a file.

The figures are read and the file is written on the worker thread, with progress and
Cancel; a cancelled export leaves no file behind.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QLineEdit, QPushButton, QWidget

from clinic_desk.i18n import N_, current_language, gettext as _
from clinic_desk.printing.day_export import ExportFormat, render_export
from clinic_desk.printing.layout import ExportCancelled
from clinic_desk.services.context import Actor, Desk
from clinic_desk.services.errors import ValidationError
from clinic_desk.services.reconciliation import check_period, day_report
from clinic_desk.ui import messages
from clinic_desk.ui.background import BackgroundTask, Progress
from clinic_desk.ui.calendar.time_inputs import chosen_date, date_edit, side_by_side
from clinic_desk.ui.form_dialog import FormDialog
from clinic_desk.ui.widgets import data_combo

FORMAT_NAMES = {ExportFormat.PDF: N_("PDF report (A4, with charts)"),
                ExportFormat.XLSX: N_("Excel workbook (XLSX)"),
                ExportFormat.CSV: N_("CSV journal of every entry")}
_FILTERS = {ExportFormat.PDF: N_("PDF (*.pdf)"), ExportFormat.XLSX: N_("Excel workbook (*.xlsx)"),
            ExportFormat.CSV: N_("CSV (*.csv)")}


def default_name(start: date, end: date, kind: ExportFormat) -> str:
    period = start.isoformat() if start == end else f"{start.isoformat()}_{end.isoformat()}"
    return _("reconciliation-{period}.{suffix}").format(period=period, suffix=kind.value)


def write_export(desk: Desk, actor: Actor, start: date, end: date, kind: ExportFormat,
                 path: Path, language: str, progress: Progress) -> Path:
    """Read the period, render it and write the file (whole, or not at all)."""
    if not progress(0, 0):
        raise ExportCancelled()
    report = day_report(desk, start, end, actor)
    content = render_export(report, kind, language, progress)
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(content)
    partial.replace(path)
    return path


class ExportDialog(FormDialog):
    def __init__(self, desk: Desk, actor: Actor, day: date,
                 parent: QWidget | None = None) -> None:
        super().__init__(_("Export the reconciliation"), parent)
        self.desk, self.actor = desk, actor
        self.task: BackgroundTask[Path] | None = None
        self.saved: Path | None = None
        self.start = date_edit(day)
        self.start.setObjectName("start")
        self.end = date_edit(day)
        self.end.setObjectName("end")
        self.add_row(_("Period"), "end", side_by_side(self.start, self.end, stretch=None))
        self.kind = data_combo((_(text), kind) for kind, text in FORMAT_NAMES.items())
        self.kind.setObjectName("format")
        self.add_row(_("Format"), "format", self.kind)
        self.path = QLineEdit(objectName="path")
        choose = QPushButton(_("Choose…"), objectName="choose")
        choose.clicked.connect(self.choose_file)
        self.add_row(_("File"), "path", side_by_side(self.path, choose, stretch=0))
        self.buttons.button(self.buttons.StandardButton.Ok).setText(_("Export"))
        self.finish_layout()
        self.setMinimumWidth(560)

    def period(self) -> tuple[date, date]:
        return chosen_date(self.start), chosen_date(self.end)

    def chosen_kind(self) -> ExportFormat:
        return ExportFormat(self.kind.currentData())

    def choose_file(self) -> None:
        start, end = self.period()
        kind = self.chosen_kind()
        suggested = self.path.text().strip() or str(Path.home() / default_name(start, end, kind))
        path, _filter = QFileDialog.getSaveFileName(self, _("Export the reconciliation"),
                                                    suggested, _(_FILTERS[kind]))
        if path:
            self.path.setText(path)

    def target(self) -> Path:
        text = self.path.text().strip()
        if not text:
            raise ValidationError.single("path", _("Choose where to save the file."))
        path = Path(text)
        if not path.suffix:
            path = path.with_suffix("." + self.chosen_kind().value)
        if not path.parent.is_dir():
            raise ValidationError.single("path", _("This folder does not exist."))
        return path

    def try_submit(self) -> None:
        """Check the form at once; the dialog closes when the file is written."""
        self.errors.run(self.start_export)

    def start_export(self) -> None:
        start, end = self.period()
        check_period(start, end)
        path, kind, language = self.target(), self.chosen_kind(), current_language()
        self.buttons.setEnabled(False)
        self.task = BackgroundTask(
            self, _("Exporting to {path}…").format(path=path),
            lambda progress: write_export(self.desk, self.actor, start, end, kind, path,
                                          language, progress),
            self.done_writing, self.failed)
        self.task.dialog.canceled.connect(lambda: self.buttons.setEnabled(True))

    def done_writing(self, path: Path) -> None:
        self.saved = path
        messages.inform(self, _("Export the reconciliation"),
                        _("Saved {path}.").format(path=path))
        self.accept()

    def failed(self, error: Exception) -> None:
        self.buttons.setEnabled(True)
        if isinstance(error, OSError):
            error = ValidationError.single("path", _("Could not save {path}: {reason}").format(
                path=self.path.text(), reason=error.strerror))
        self.errors.show_failure(error)
