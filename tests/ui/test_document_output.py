"""The preview every printed document goes through: print to the printer remembered for its
kind (asking the first time), a clear message when there is no printer or it fails, Save as
PDF, and the print reported only when it happened."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtPdf import QPdfDocument
from PySide6.QtWidgets import QApplication, QFileDialog, QWidget

from clinic_desk.config import WorkstationConfig, load_config, save_config
from clinic_desk.printing import Paper
from clinic_desk.printing.receipt import render_receipt
from clinic_desk.ui import document_output
from clinic_desk.ui.document_output import (DocumentKind, DocumentPreview, PrinterChooser,
                                            present_document)
from tests.printing import poppler
from tests.printing.documents import receipt
from tests.printing.test_print_bridge import PRINTER, cups_pdf_folder, wait_for_job  # noqa: F401
from tests.ui.document_preview import open_preview, workstation_config  # noqa: F401

pytestmark = pytest.mark.usefixtures("workstation_config")
LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def parent(qtbot) -> QWidget:  # type: ignore[no-untyped-def]
    widget = QWidget()
    qtbot.addWidget(widget)
    widget.show()
    return widget


def remember(kind: DocumentKind, printer: str) -> None:
    save_config(WorkstationConfig(printers={kind.value: printer}))


def show_receipt(parent: QWidget, printed: list[str], title: str = "Receipt 00000187",
                 paper: Paper = Paper.ROLL_80MM) -> DocumentPreview:
    present_document(parent, DocumentKind.RECEIPT, render_receipt(receipt(), paper, "zh_CN"),
                     paper, title, printed.append)
    return open_preview(parent)


def job_title() -> str:
    """cups-pdf names the arriving file after the job, which is the document's title."""
    return f"clinic-desk-preview-{uuid.uuid4().hex[:10]}"


def answer_chooser(choose: str | None) -> list[list[str]]:
    """When the printer chooser opens, pick `choose` (None: cancel); returns what it offered."""
    offered: list[list[str]] = []

    def answer() -> None:
        chooser = QApplication.activeModalWidget()
        assert isinstance(chooser, PrinterChooser)
        names = [chooser.printers.item(i).text() for i in range(chooser.printers.count())]
        offered.append(names)
        if choose is None:
            chooser.reject()
            return
        chooser.printers.setCurrentRow(names.index(choose))
        chooser.accept()

    QTimer.singleShot(0, answer)
    return offered


@pytest.mark.parametrize("paper", [Paper.ROLL_80MM, Paper.A5], ids=lambda p: p.value)
def test_the_preview_shows_the_document(parent: QWidget, qtbot, paper: Paper) -> None:  # type: ignore[no-untyped-def]
    preview = show_receipt(parent, [], paper=paper)
    assert preview.document.status() == QPdfDocument.Status.Ready
    assert preview.document.pageCount() == 1
    assert preview.windowTitle() == "Receipt 00000187"
    assert preview.printer_label.text() == "No printer chosen yet"
    qtbot.waitExposed(preview)
    qtbot.wait(800)  # the view draws its pages in the background
    preview.grab().save(f"/tmp/document-preview-{paper.value}.png")


def test_print_goes_to_the_remembered_printer_and_is_reported(
        parent: QWidget, qtbot, cups_pdf_folder: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    remember(DocumentKind.RECEIPT, PRINTER)
    printed: list[str] = []
    title = job_title()
    preview = show_receipt(parent, printed, title)
    assert preview.printer_label.text() == f"Printer: {PRINTER}"
    qtbot.mouseClick(preview.print_button, LEFT)
    assert printed == [PRINTER]
    assert preview.message.text() == f"Sent to {PRINTER}."
    arrived = wait_for_job(cups_pdf_folder, title)
    try:
        assert poppler.page_info(arrived.read_bytes())[0] == 1
    finally:
        arrived.unlink(missing_ok=True)


def test_the_first_print_asks_for_the_printer_and_remembers_it_for_that_kind(
        parent: QWidget, qtbot, cups_pdf_folder: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    printed: list[str] = []
    title = job_title()
    preview = show_receipt(parent, printed, title)
    offered = answer_chooser(PRINTER)
    qtbot.mouseClick(preview.print_button, LEFT)
    assert offered and PRINTER in offered[0]
    assert printed == [PRINTER]
    assert load_config().printers == {"receipt": PRINTER}
    wait_for_job(cups_pdf_folder, title).unlink(missing_ok=True)
    preview.close()

    slip = render_receipt(receipt(), Paper.A5, "en")
    present_document(parent, DocumentKind.REFUND_SLIP, slip, Paper.A5, "Refund slip")
    other = open_preview(parent)
    assert other.printer_label.text() == "No printer chosen yet"
    answer_chooser(None)
    qtbot.mouseClick(other.print_button, LEFT)  # cancelled: nothing printed, nothing remembered
    assert load_config().printers == {"receipt": PRINTER}


def test_a_failing_printer_says_so_and_the_document_stays_printable(
        parent: QWidget, qtbot, cups_pdf_folder: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    remember(DocumentKind.RECEIPT, "Front Desk Thermal 7")  # unplugged since it was chosen
    printed: list[str] = []
    title = job_title()
    preview = show_receipt(parent, printed, title)
    qtbot.mouseClick(preview.print_button, LEFT)
    assert printed == []
    assert "Front Desk Thermal 7" in preview.message.text()
    assert "Nothing is lost" in preview.message.text()
    assert preview.message.property("role") == "field-error"
    assert preview.print_button.isEnabled()
    preview.grab().save("/tmp/document-preview-failed.png")

    answer_chooser(PRINTER)
    qtbot.mouseClick(preview.findChild(type(preview.print_button), "choose_printer"), LEFT)
    qtbot.mouseClick(preview.print_button, LEFT)
    assert printed == [PRINTER]
    wait_for_job(cups_pdf_folder, title).unlink(missing_ok=True)


def test_without_any_printer_the_message_says_what_to_do(
        parent: QWidget, qtbot, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(document_output, "printer_names", list)  # a PC with no printer
    printed: list[str] = []
    preview = show_receipt(parent, printed)
    qtbot.mouseClick(preview.print_button, LEFT)
    assert printed == []
    assert preview.message.text().startswith("No printer is installed on this PC.")
    assert load_config().printers == {}


def test_save_as_pdf_writes_the_document_itself(
        parent: QWidget, qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "receipt-copy"
    asked: list[str] = []

    def ask(_parent: QWidget, _caption: str, suggested: str, _filter: str) -> tuple[str, str]:
        asked.append(suggested)
        return str(target), "PDF (*.pdf)"

    monkeypatch.setattr(QFileDialog, "getSaveFileName", ask)
    printed: list[str] = []
    preview = show_receipt(parent, printed)
    qtbot.mouseClick(preview.findChild(type(preview.print_button), "save_pdf"), LEFT)
    assert asked and asked[0].endswith("Receipt 00000187.pdf")
    saved = target.with_suffix(".pdf")
    assert saved.read_bytes() == preview.pdf
    assert preview.message.text() == f"Saved as {saved}."
    assert printed == []


def test_after_a_print_the_next_copy_is_shown_and_printed(
        parent: QWidget, qtbot, cups_pdf_folder: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    remember(DocumentKind.RECEIPT, PRINTER)
    copies = iter(range(1, 10))
    original = render_receipt(receipt(), Paper.ROLL_80MM, "en")
    title = job_title()
    present_document(parent, DocumentKind.RECEIPT, original, Paper.ROLL_80MM, title,
                     next_copy=lambda: render_receipt(receipt(copy_number=next(copies)),
                                                      Paper.ROLL_80MM, "en"))
    preview = open_preview(parent)
    qtbot.mouseClick(preview.print_button, LEFT)
    first = wait_for_job(cups_pdf_folder, title)
    first.unlink(missing_ok=True)
    assert preview.pdf != original
    assert poppler.contains(poppler.layout_text(preview.pdf), "COPY (reprint 1)")
    assert preview.document.status() == QPdfDocument.Status.Ready
    assert preview.document.pageCount() == 1
