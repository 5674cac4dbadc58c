"""Receipts on paper: shown in the document preview after a payment, each print recorded
(the first is the original, the later ones copies), and earlier receipts reprinted."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QVBoxLayout, QWidget

from clinic_desk.i18n import N_, format_datetime, gettext as _, ngettext
from clinic_desk.money import format_money
from clinic_desk.printing.paper import Paper
from clinic_desk.printing.posted_receipt import render_posted_receipt
from clinic_desk.services.context import Actor, Desk
from clinic_desk.services.receipts import (ReceiptSummary, patient_receipts, receipt_data,
                                           record_print)
from clinic_desk.ui.document_output import DocumentKind, present_document
from clinic_desk.ui.table_model import Column, RowTableModel
from clinic_desk.ui.widgets import row_table

#: The papers a receipt printer takes, as the cashier chooses them.
RECEIPT_PAPERS = ((N_("80 mm roll"), Paper.ROLL_80MM), (N_("A5 sheet"), Paper.A5))


def show_receipt(parent: QWidget, desk: Desk, actor: Actor, receipt_id: int,
                 paper: Paper) -> None:
    """The receipt in the preview; printed copies are counted as they leave the printer."""

    def render() -> bytes:
        return render_posted_receipt(receipt_data(desk, receipt_id), paper)

    data = receipt_data(desk, receipt_id)
    present_document(parent, DocumentKind.RECEIPT, render_posted_receipt(data, paper), paper,
                     _("Receipt {number}").format(number=data.number),
                     lambda printer: record_print(desk, actor, receipt_id, printer),
                     next_copy=render)


def _printed(row: ReceiptSummary) -> str:
    if not row.prints:
        return _("not printed yet")
    return ngettext("printed once", "printed {count} times", row.prints).format(count=row.prints)


class ReprintDialog(QDialog):
    """The patient's receipts, newest first; the chosen one is opened for printing."""

    def __init__(self, desk: Desk, patient_id: int, currency: str, timezone: ZoneInfo,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Reprint a receipt"))

        def money(minor: int) -> str:
            return format_money(minor, currency)

        self.model: RowTableModel[ReceiptSummary] = RowTableModel([
            Column(N_("Receipt no."), lambda r: r.number),
            Column(N_("Issued"), lambda r: format_datetime(r.issued_at, "short", tz=timezone)),
            Column(N_("Paid"), lambda r: money(r.paid_today), align_right=True),
            Column(N_("Balance after"), lambda r: money(r.balance_after), align_right=True),
            Column(N_("Printed"), _printed)], self)
        self.model.set_rows(patient_receipts(desk, patient_id))
        self.table = row_table(self.model, "receipts")
        self.table.doubleClicked.connect(lambda _index: self.accept())
        if self.model.rowCount():
            self.table.selectRow(0)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("Open for printing"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(640, 360)

    def chosen(self) -> int | None:
        index = self.table.currentIndex()
        return self.model.row_at(index.row()).receipt_id if index.isValid() else None
