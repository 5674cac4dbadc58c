"""Send the printed documents (PDF bytes from `clinic_desk.printing`) to a printer through Qt.

Qt cannot print a PDF as such, so each page is rendered with QtPdf to an image at the
printer's resolution and painted onto a QPrinter page of the same size. The PDF stays the one
truth about the layout: the paper only decides the raster resolution and the page setup (a
roll gets a custom page as long as the document, with no margins).

Call from the GUI thread. Every failure is a `PrintFailed` with a message for the cashier; the
document itself is saved by the caller before printing, so it can always be printed again.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QRectF, QSize, QSizeF, Qt
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

from clinic_desk.i18n import gettext as _
from clinic_desk.printing.paper import Paper

_POINTS_PER_INCH = 72.0
#: Sheets printed to a file (tests, "save as PDF" without CUPS) use the sheet resolution.
_FILE_DPI = 300
_STANDARD_SIZES = {Paper.A5: QPageSize.PageSizeId.A5, Paper.A4: QPageSize.PageSizeId.A4,
                   Paper.A4_LANDSCAPE: QPageSize.PageSizeId.A4}


class PrintFailed(Exception):
    """Printing did not happen; `message` is translated and can be shown as it is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def printer_names() -> list[str]:
    """The installed printers (an empty list when the system has no printing support)."""
    return [info.printerName() for info in QPrinterInfo.availablePrinters()]


def default_printer_name() -> str | None:
    info = QPrinterInfo.defaultPrinter()
    return None if info.isNull() else info.printerName()


def print_pdf(pdf_bytes: bytes, printer_name: str, paper: Paper, copies: int = 1,
              job_name: str = "clinic_desk") -> None:
    """Print every page of the PDF on the named printer, `copies` times."""
    if copies < 1:
        raise ValueError("copies must be at least 1")
    info = QPrinterInfo.printerInfo(printer_name)
    if info.isNull():
        raise PrintFailed(_("The printer “{name}” is not installed.").format(name=printer_name))
    printer = QPrinter(info, QPrinter.PrinterMode.HighResolution)
    printer.setResolution(paper.spec.print_dpi)
    printer.setDocName(job_name)
    printer.setCopyCount(copies)
    _paint(pdf_bytes, printer, paper, paper.spec.print_dpi, printer_name)


def save_pdf_via_qt(pdf_bytes: bytes, path: str | Path, paper: Paper = Paper.A5) -> None:
    """Run the PDF through the same painting path into a PDF file: what a printer would get,
    checkable without a print system."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    dpi = paper.spec.print_dpi if paper.spec.is_roll else _FILE_DPI
    printer.setResolution(dpi)
    _paint(pdf_bytes, printer, paper, dpi, str(path))


def _paint(pdf_bytes: bytes, printer: QPrinter, paper: Paper, dpi: int, target: str) -> None:
    buffer = QBuffer()
    buffer.setData(QByteArray(pdf_bytes))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document = QPdfDocument()
    document.load(buffer)  # synchronous for an in-memory buffer
    if document.status() != QPdfDocument.Status.Ready or document.pageCount() < 1:
        raise PrintFailed(_("The document could not be prepared for printing."))
    printer.setFullPage(True)  # the PDF carries its own margins
    _set_page(printer, paper, document.pagePointSize(0))
    painter = QPainter()
    if not painter.begin(printer):
        raise PrintFailed(_("The printer “{name}” did not accept the job.").format(name=target))
    try:
        for page in range(document.pageCount()):
            if page:
                _set_page(printer, paper, document.pagePointSize(page))
                if not printer.newPage():
                    raise PrintFailed(_("The printer “{name}” stopped at page {page}.").format(
                        name=target, page=page + 1))
            image = _render(document, page, dpi, paper)
            if image.isNull():
                raise PrintFailed(_("Page {page} could not be drawn for printing.").format(
                    page=page + 1))
            painter.drawImage(QRectF(printer.paperRect(QPrinter.Unit.DevicePixel)), image)
    finally:
        painter.end()
        document.close()


def _set_page(printer: QPrinter, paper: Paper, points: QSizeF) -> None:
    """A5/A4 by their standard ids (so the driver picks the right tray), turned when the
    document lies sideways; a roll by its exact size, with no margins."""
    if paper in _STANDARD_SIZES:
        size = QPageSize(_STANDARD_SIZES[paper])
    else:
        size = QPageSize(points, QPageSize.Unit.Point, "", QPageSize.SizeMatchPolicy.ExactMatch)
    printer.setPageSize(size)
    printer.setPageOrientation(QPageLayout.Orientation.Landscape if paper.spec.is_landscape
                               else QPageLayout.Orientation.Portrait)
    printer.setPageMargins(QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Millimeter)


def _render(document: QPdfDocument, page: int, dpi: int, paper: Paper) -> QImage:
    points = document.pagePointSize(page)
    scale = dpi / _POINTS_PER_INCH
    image = document.render(page, QSize(round(points.width() * scale),
                                        round(points.height() * scale)))
    if paper.spec.is_roll and not image.isNull():
        # A thermal head prints dots, not greys: a hard threshold keeps small text crisp
        # where the driver's dithering would fray it. The page renders on a transparent
        # background, which would threshold to black: put it on white paper first.
        sheet = QImage(image.size(), QImage.Format.Format_RGB32)
        sheet.fill(Qt.GlobalColor.white)
        painter = QPainter(sheet)
        painter.drawImage(0, 0, image)
        painter.end()
        image = sheet.convertToFormat(QImage.Format.Format_Mono,
                                      Qt.ImageConversionFlag.ThresholdDither)
    return image
