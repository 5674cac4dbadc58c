"""Correcting one of a patient's entries at the cash desk (更改登记).

The cashier picks the wrong entry, says what was wrong, why and how it is corrected, and
changes what was wrong in the right entry, which starts as a copy of the wrong one (or
unticks it when the entry should only be reversed). When everything checks, a manager
approves at this PC and the correction is posted whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from PySide6.QtWidgets import (QCheckBox, QDialogButtonBox, QGroupBox, QHBoxLayout, QLabel,
                               QPlainTextEdit, QStackedWidget, QVBoxLayout, QWidget)

from clinic_desk.clock import zone
from clinic_desk.i18n import N_, format_date, format_time, gettext as _
from clinic_desk.money import format_money
from clinic_desk.services import patients
from clinic_desk.services.auth import Approval
from clinic_desk.services.cashdesk import ApprovalNeeded, ReferenceAlreadyUsed
from clinic_desk.services.context import Actor, Desk
from clinic_desk.services.corrections import (ENTRY_KIND_NAMES, ChargeEntry, CorrectionRequest,
                                              EntryKind, PatientEntryRow, PaymentEntry,
                                              PostedCorrection, correct_entry, describe_entry,
                                              patient_entries)
from clinic_desk.services.errors import ValidationError
from clinic_desk.services.settings import get_settings
from clinic_desk.ui import messages
from clinic_desk.ui.approval import ask_approval
from clinic_desk.ui.corrections.entry_pages import ChargePage, DiscountPage, PaymentPage
from clinic_desk.ui.form_dialog import FormDialog
from clinic_desk.ui.table_model import Column, RowTableModel
from clinic_desk.ui.widgets import row_table

_PAGES = (EntryKind.PAYMENT, EntryKind.CHARGE, EntryKind.DISCOUNT)  # the stack's order
_DONE_COLOUR = "#8a8a8a"
_TEXT_LINES = 3
_TABLE_HEIGHT = 170


def entry_columns(currency: str, timezone: str) -> Sequence[Column[PatientEntryRow]]:
    tz = zone(timezone)
    return (
        Column(N_("Posted"), lambda r: f"{format_date(r.entry.business_date, 'short')} "
                                       f"{format_time(r.entry.posted_at, tz=tz)}"),
        Column(N_("Kind"), lambda r: _(ENTRY_KIND_NAMES[r.entry.kind])),
        Column(N_("Entry"), lambda r: describe_entry(r.entry, currency)),
        Column(N_("Amount"), lambda r: format_money(r.entry.amount, currency),
               align_right=True),
        Column(N_("Status"), lambda r: _status(r, currency),
               foreground=lambda r: _DONE_COLOUR if r.corrected_by else None),
    )


def _status(row: PatientEntryRow, currency: str) -> str:
    if row.corrected_by:
        return _("Corrected (No. {number})").format(number=row.corrected_by)
    if row.refunded:
        return _("{amount} refunded").format(amount=format_money(row.refunded, currency))
    return ""


class CorrectionDialog(FormDialog):
    """exec() returns Accepted once a correction was posted; `posted` says which."""

    def __init__(self, desk: Desk, actor: Actor, patient_id: int,
                 parent: QWidget | None = None) -> None:
        patient = patients.get_summary(desk, patient_id)
        super().__init__(_("Correct an entry · {name} ({number})").format(
            name=patient.name, number=patient.record_number), parent)
        self.desk, self.actor, self.patient_id = desk, actor, patient_id
        self.posted: PostedCorrection | None = None
        settings = get_settings(desk)
        self.currency = settings.currency

        self.model = RowTableModel(entry_columns(settings.currency, settings.timezone), self)
        self.entries = row_table(self.model, "entries", stretch=2)  # the entry described
        self.entries.setMinimumHeight(_TABLE_HEIGHT)
        entry_error = QLabel(objectName="error_entry")
        self.errors.register("entry", self.entries, entry_error)

        self.what_was_wrong = self._text_box("what_was_wrong")
        self.reason = self._text_box("reason")
        self.how_corrected = self._text_box("how_corrected")
        self.add_row(_("What was wrong"), "what_was_wrong", self.what_was_wrong)
        self.add_row(_("Why it happened"), "reason", self.reason)
        self.add_row(_("How it is corrected"), "how_corrected", self.how_corrected)

        self.post_right = QCheckBox(_("Post the right entry (untick to reverse only)"),
                                    objectName="post_right", checked=True)
        self.payment_page = PaymentPage(desk, settings.currency, self.errors)
        self.charge_page = ChargePage(desk, self.errors)
        self.discount_page = DiscountPage(settings.currency, self.errors)
        self.pages = QStackedWidget(objectName="right_entry")
        for page in (self.payment_page, self.charge_page, self.discount_page):
            self.pages.addWidget(page)
        right_error = QLabel(objectName="error_right")
        self.errors.register("right", self.pages, right_error)
        self.post_right.toggled.connect(self.pages.setEnabled)
        right = QGroupBox(_("Right entry"))
        column = QVBoxLayout(right)
        for widget in (self.post_right, self.pages, right_error):
            column.addWidget(widget)
        column.addStretch()

        # the entries across the top; the texts and the right entry side by side below
        self.layout_.removeItem(self.form)
        below = QHBoxLayout()
        below.addLayout(self.form, 1)
        below.addWidget(right, 1)
        self.layout_.insertWidget(0, QLabel(_("Choose the entry that is wrong:")))
        self.layout_.insertWidget(1, self.entries, 1)
        self.layout_.insertWidget(2, entry_error)
        self.layout_.insertLayout(3, below)

        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(_("Correct…"))
        ok.setObjectName("correct")
        self.finish_layout()
        self.resize(1000, 660)
        self.entries.selectionModel().currentRowChanged.connect(
            lambda _current, _previous: self.show_selected())
        self.model.set_rows(patient_entries(desk, patient_id))
        self.show_selected()

    def _text_box(self, name: str) -> QPlainTextEdit:
        box = QPlainTextEdit(objectName=name)
        box.setTabChangesFocus(True)
        box.setFixedHeight(box.fontMetrics().lineSpacing() * (_TEXT_LINES + 1))
        return box

    def selected(self) -> PatientEntryRow | None:
        index = self.entries.currentIndex()
        return self.model.row_at(index.row()) if index.isValid() else None

    def select_entry(self, kind: EntryKind, entry_id: int) -> None:
        for row in range(self.model.rowCount()):
            entry = self.model.row_at(row).entry
            if (entry.kind, entry.entry_id) == (kind, entry_id):
                self.entries.selectRow(row)
                return

    def show_selected(self) -> None:
        """The right entry starts as a copy of the wrong one, on the page of its kind."""
        row = self.selected()
        self.post_right.setEnabled(row is not None)
        self.pages.setEnabled(row is not None and self.post_right.isChecked())
        if row is None:
            return
        entry = row.entry
        self.pages.setCurrentIndex(_PAGES.index(entry.kind))
        if isinstance(entry, PaymentEntry):
            self.payment_page.fill(entry)
        elif isinstance(entry, ChargeEntry):
            self.charge_page.fill(entry)
        else:
            self.discount_page.fill(entry)

    def _request(self, row: PatientEntryRow) -> CorrectionRequest:
        right = None
        if self.post_right.isChecked():
            page = (self.payment_page, self.charge_page, self.discount_page)[
                _PAGES.index(row.entry.kind)]
            right = page.right()
        return CorrectionRequest(
            kind=row.entry.kind, entry_id=row.entry.entry_id,
            what_was_wrong=self.what_was_wrong.toPlainText(),
            reason=self.reason.toPlainText(), how_corrected=self.how_corrected.toPlainText(),
            right=right)

    def submit(self) -> None:
        """Everything is checked before a manager is asked; a reused reference is asked about
        first, since the manager approves what the cashier confirmed."""
        row = self.selected()
        if row is None:
            raise ValidationError.single("entry", _("Choose the entry to correct."))
        request = self._request(row)
        approval: Approval | None = None
        while True:
            try:
                self.posted = correct_entry(self.desk, self.actor, request, approval)
                break
            except ApprovalNeeded:
                approval = ask_approval(self.desk, _("correction of {entry}").format(
                    entry=describe_entry(row.entry, self.currency)), self)
                if approval is None:
                    raise
            except ReferenceAlreadyUsed as warning:
                if not messages.confirm(self, _("Reference already used"),
                                        warning.message + " " + _("Record it anyway?")):
                    raise
                request = replace(request, accept_reused_reference=True)
        text = _("Correction {number} is recorded.").format(number=self.posted.number)
        if self.posted.receipt_number:
            text += " " + _("The right payment is on receipt {number}.").format(
                number=self.posted.receipt_number)
        messages.inform(self, _("Correction recorded"), text)
