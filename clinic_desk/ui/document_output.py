"""How every printed document leaves the program: a preview of its PDF, Print to the printer
this PC remembers for that kind of document, Save as PDF…, Close.

The document is already saved in the clinic's data before it is shown here (a receipt is
posted, a register is a query), so a printer that is missing or fails costs nothing: the
preview says what went wrong and stays open to print again, to another printer, or to a
file. Callers record each successful print through `on_printed` (original or copy).
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QStandardPaths, Qt
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFileDialog, QHBoxLayout, QLabel,
                               QListWidget, QPushButton, QVBoxLayout, QWidget)

from clinic_desk.config import WorkstationConfig, load_config, save_config
from clinic_desk.i18n import N_, gettext as _
from clinic_desk.printing.paper import Paper
from clinic_desk.ui.print_bridge import (PrintFailed, default_printer_name, print_pdf,
                                         printer_names)


class DocumentKind(StrEnum):
    """Each kind has its own remembered printer (receipts on the roll, registers on A4)."""

    RECEIPT = "receipt"
    REFUND_SLIP = "refund_slip"
    CORRECTION_REGISTER = "correction_register"
    REFUND_REGISTER = "refund_register"
    DAY_LIST = "day_list"
    DAY_CLOSE = "day_close"


KIND_NAMES = {DocumentKind.RECEIPT: N_("Receipts"), DocumentKind.REFUND_SLIP: N_("Refund slips"),
              DocumentKind.CORRECTION_REGISTER: N_("Correction register"),
              DocumentKind.REFUND_REGISTER: N_("Refund register"),
              DocumentKind.DAY_LIST: N_("Day's appointment list"),
              DocumentKind.DAY_CLOSE: N_("Day closing")}

#: Preview window sizes: a roll is narrow and long, a sheet wider.
_ROLL_SIZE = (540, 780)
_SHEET_SIZE = (680, 860)


def present_document(parent: QWidget, kind: DocumentKind, pdf: bytes, paper: Paper, title: str,
                     on_printed: Callable[[str], None] | None = None, *,
                     next_copy: Callable[[], bytes] | None = None) -> None:
    """Open the preview of `pdf` (not modal: the desk goes on working while it is open).

    `next_copy`, when given, makes the document shown after each successful print: a
    receipt printed once is a copy from then on, and the next print must say so.
    """
    preview = DocumentPreview(kind, pdf, paper, title, on_printed, parent, next_copy=next_copy)
    preview.show()
    preview.raise_()


class PrinterChooser(QDialog):
    """The installed printers, the current choice selected."""

    def __init__(self, kind: DocumentKind, names: list[str], current: str | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Printer for {kind}").format(kind=_(KIND_NAMES[kind])))
        layout = QVBoxLayout(self)
        hint = QLabel(_("This PC remembers the printer for each kind of document."))
        hint.setProperty("role", "hint")
        hint.setWordWrap(True)
        self.printers = QListWidget(objectName="printers")
        self.printers.addItems(names)
        if current in names:
            self.printers.setCurrentRow(names.index(current))
        elif names:
            self.printers.setCurrentRow(0)
        self.printers.itemDoubleClicked.connect(lambda _item: self.accept())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(hint)
        layout.addWidget(self.printers)
        layout.addWidget(buttons)

    def chosen(self) -> str | None:
        item = self.printers.currentItem()
        return item.text() if item is not None else None


class DocumentPreview(QDialog):
    def __init__(self, kind: DocumentKind, pdf: bytes, paper: Paper, title: str,
                 on_printed: Callable[[str], None] | None = None,
                 parent: QWidget | None = None, *,
                 next_copy: Callable[[], bytes] | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        self.setWindowTitle(title)
        self.kind, self.paper, self.title = kind, paper, title
        self.on_printed, self.next_copy = on_printed, next_copy
        self.config: WorkstationConfig = load_config()

        self.buffer = QBuffer(self)
        self.document = QPdfDocument(self)
        self.show_pdf(pdf)
        self.view = QPdfView(self)
        self.view.setObjectName("pdf_view")
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)

        self.printer_label = QLabel(objectName="printer")
        self.message = QLabel(objectName="message")
        self.message.setWordWrap(True)
        self.message.hide()
        self.print_button = QPushButton(_("Print"), objectName="print")
        self.print_button.setDefault(True)
        self.print_button.clicked.connect(self.print_document)
        choose = QPushButton(_("Printer…"), objectName="choose_printer")
        choose.clicked.connect(self.choose_printer)
        save = QPushButton(_("Save as PDF…"), objectName="save_pdf")
        save.clicked.connect(self.save_as_pdf)
        close = QPushButton(_("Close"), objectName="close")
        close.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addWidget(self.print_button)
        buttons.addWidget(choose)
        buttons.addWidget(self.printer_label, 1)
        buttons.addWidget(save)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.resize(*(_ROLL_SIZE if paper.spec.is_roll else _SHEET_SIZE))
        self._show_printer()

    def show_pdf(self, pdf: bytes) -> None:
        """Show (and from now on print and save) `pdf`."""
        self.pdf = pdf
        self.document.close()
        self.buffer.close()
        self.buffer.setData(QByteArray(pdf))
        self.buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document.load(self.buffer)

    @property
    def printer_name(self) -> str | None:
        return self.config.printers.get(self.kind.value) or None

    def _show_printer(self) -> None:
        name = self.printer_name
        self.printer_label.setText(_("Printer: {name}").format(name=name) if name
                                   else _("No printer chosen yet"))

    def _say(self, text: str, problem: bool) -> None:
        self.message.setText(text)
        self.message.setProperty("role", "field-error" if problem else "hint")
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.message.show()

    def choose_printer(self) -> str | None:
        """Ask which printer to use for this kind of document and remember it on this PC."""
        names = printer_names()
        if not names:
            self._say(_("No printer is installed on this PC. Save the document as PDF, or "
                        "install a printer and print again."), problem=True)
            return None
        chooser = PrinterChooser(self.kind, names, self.printer_name or default_printer_name(),
                                 self)
        name = chooser.chosen() if chooser.exec() else None
        if name is None:
            return None
        self.config = load_config()  # another window may have remembered something meanwhile
        self.config.printers[self.kind.value] = name
        save_config(self.config)
        self._show_printer()
        return name

    def print_document(self) -> bool:
        """Print on the remembered printer (asking for one the first time)."""
        name = self.printer_name or self.choose_printer()
        if name is None:
            return False
        try:
            print_pdf(self.pdf, name, self.paper, job_name=self.title)
        except PrintFailed as failure:
            self._say(failure.message + " " + _(
                "Nothing is lost: print again, choose another printer, or save the document "
                "as PDF."), problem=True)
            return False
        self._say(_("Sent to {name}.").format(name=name), problem=False)
        if self.on_printed is not None:
            self.on_printed(name)
        if self.next_copy is not None:
            self.show_pdf(self.next_copy())
        return True

    def save_as_pdf(self) -> bool:
        folder = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation)
        path, _filter = QFileDialog.getSaveFileName(
            self, _("Save as PDF"), str(Path(folder) / f"{self.title}.pdf"), _("PDF (*.pdf)"))
        return bool(path) and self.save_to(Path(path))

    def save_to(self, path: Path) -> bool:
        """Write the document itself (not a re-rendering) to `path`."""
        if path.suffix.lower() != ".pdf":
            path = path.with_name(path.name + ".pdf")
        try:
            path.write_bytes(self.pdf)
        except OSError as error:
            self._say(_("The file could not be saved: {reason}").format(
                reason=error.strerror or str(error)), problem=True)
            return False
        self._say(_("Saved as {path}.").format(path=str(path)), problem=False)
        return True
