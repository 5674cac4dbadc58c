"""The refund dialog (退款): money back out of one of the patient's payments, for an item or
an amount, with the reason, the doctor who states it, the manager's approval and opinion
given on the spot, and the patient as receiver. The slip opens once the refund is recorded.

Every field is checked by the service before the manager is called over, so the manager
approves a refund that can be recorded. The dialog makes its idempotency key once, when it
opens: a double click, or trying again after an error, records one refund at most.
"""

from __future__ import annotations

import uuid

from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QLineEdit, QPlainTextEdit, QWidget

from clinic_desk.i18n import format_date, gettext as _
from clinic_desk.models import PaymentKind
from clinic_desk.money import AmountError, format_money, format_plain, parse_amount
from clinic_desk.services import catalog
from clinic_desk.services.cashdesk import patient_balance
from clinic_desk.services.checkin import list_doctors
from clinic_desk.services.context import Actor, Desk
from clinic_desk.services.errors import DomainError
from clinic_desk.services.patients import get_summary
from clinic_desk.services.refunds import (RefundableItem, RefundablePayment, RefundRequest,
                                          check_refund, record_refund, refundable)
from clinic_desk.services.settings import get_settings
from clinic_desk.ui.approval import ask_approval
from clinic_desk.ui.form_dialog import FormDialog
from clinic_desk.ui.refunds.slip import show_slip, slip_paper_combo
from clinic_desk.ui.widgets import select_data


class NotApproved(DomainError):
    """The manager did not approve: nothing was refunded."""


class RefundDialog(FormDialog):
    def __init__(self, desk: Desk, actor: Actor, patient_id: int,
                 parent: QWidget | None = None) -> None:
        super().__init__(_("Refund"), parent)
        self.desk, self.actor, self.patient_id = desk, actor, patient_id
        self.key = uuid.uuid4().hex  # once per dialog: every retry records the same refund
        self.refund_id: int | None = None
        self.currency = get_settings(desk).currency
        self.patient = get_summary(desk, patient_id)
        self.balance = patient_balance(desk, patient_id)
        self.choices = refundable(desk, patient_id)
        self.cash_methods = [m for m in catalog.list_payment_methods(desk)
                             if m.active and m.kind == PaymentKind.CASH]

        who = QLabel(f"{self.patient.name} · {self.patient.record_number}", objectName="patient")
        who.setProperty("role", "title")
        self.form.addRow(who)
        self.payment = QComboBox(objectName="payment")
        for payment in self.choices.payments:
            self.payment.addItem(self._payment_text(payment), payment.payment_id)
        self.item = QComboBox(objectName="item")
        self.amount = QLineEdit(objectName="amount")
        self.maximum = QLabel(objectName="maximum")
        self.maximum.setProperty("role", "hint")
        self.reason = QComboBox(objectName="reason")
        self.reason.addItem(_("Choose…"), None)
        for reason in catalog.list_refund_reasons(desk, active_only=True):
            self.reason.addItem(reason.name, reason.id)
        self.detail = QPlainTextEdit(objectName="reason_detail")
        self.detail.setTabChangesFocus(True)
        self.detail.setFixedHeight(self.fontMetrics().lineSpacing() * 4)
        self.doctor = QComboBox(objectName="doctor")
        self.doctor.addItem(_("Choose…"), None)
        for doctor in list_doctors(desk):
            self.doctor.addItem(doctor.name, doctor.id)
        self.method = QComboBox(objectName="method")
        self.cash_out = QCheckBox(objectName="cash_out_confirmed")
        self.receiver = QLineEdit(self.patient.name, objectName="receiver_name")
        self.opinion = QLineEdit(objectName="opinion")
        self.opinion.setPlaceholderText(_("Typed by the approving manager"))
        self.paper = slip_paper_combo()
        self.balance_after = QLabel(objectName="balance_after")
        self.balance_after.setProperty("role", "hint")

        self.add_row(_("Out of payment"), "payment_id", self.payment)
        self.add_row(_("Refund for"), "charge_id", self.item)
        self.add_row(_("Amount"), "amount", self.amount)
        self.form.addRow("", self.maximum)
        self.add_row(_("Reason"), "reason_id", self.reason)
        self.add_row(_("Reason in detail"), "reason_detail", self.detail)
        self.add_row(_("Reason stated by"), "doctor_id", self.doctor)
        self.add_row(_("Refund method"), "method_id", self.method)
        self.add_row("", "cash_out_confirmed", self.cash_out)
        self.add_row(_("Received by"), "receiver_name", self.receiver)
        self.add_row(_("Manager's opinion"), "opinion", self.opinion)
        self.form.addRow(_("Print the slip on"), self.paper)
        self.form.addRow("", self.balance_after)
        self.finish_layout()
        self.buttons.button(self.buttons.StandardButton.Ok).setText(_("Refund…"))
        self.setMinimumWidth(560)

        self.payment.currentIndexChanged.connect(self.show_payment)
        self.item.currentIndexChanged.connect(self.show_item)
        self.method.currentIndexChanged.connect(self.show_method)
        self.amount.textChanged.connect(self.show_balance_after)
        if not self.choices.payments:
            self.errors.show_general(_("{name} has no payment left to refund.").format(
                name=self.patient.name))
            self.buttons.button(self.buttons.StandardButton.Ok).setEnabled(False)
        self.show_payment()

    # --- what the choices show --------------------------------------------------------------

    def money(self, minor: int) -> str:
        return format_money(minor, self.currency)

    def _payment_text(self, payment: RefundablePayment) -> str:
        parts = [payment.receipt_number, format_date(payment.paid_at.date(), "short"),
                 payment.method_name, self.money(payment.amount),
                 _("{amount} left").format(amount=self.money(payment.maximum))]
        return " · ".join(part for part in parts if part)

    def _item_text(self, item: RefundableItem) -> str:
        return " · ".join((item.description, format_date(item.business_date, "short"),
                           self.money(item.amount),
                           _("{amount} left").format(amount=self.money(item.maximum))))

    def chosen_payment(self) -> RefundablePayment | None:
        index = self.payment.currentIndex()
        return self.choices.payments[index] if index >= 0 else None

    def chosen_item(self) -> RefundableItem | None:
        payment = self.chosen_payment()
        index = self.item.currentIndex() - 1  # the first entry is "an amount"
        if payment is None or index < 0:
            return None
        return self.choices.items_for(payment)[index]

    def most(self) -> int:
        payment, item = self.chosen_payment(), self.chosen_item()
        if payment is None:
            return 0
        return min(payment.maximum, item.maximum) if item else payment.maximum

    def show_payment(self) -> None:
        payment = self.chosen_payment()
        self.item.blockSignals(True)
        self.item.clear()
        self.item.addItem(_("An amount (no particular item)"), None)
        for item in self.choices.items_for(payment) if payment else []:
            self.item.addItem(self._item_text(item), item.charge_id)
        self.item.blockSignals(False)
        self.method.blockSignals(True)
        self.method.clear()
        if payment is not None:
            self.method.addItem(payment.method_name, payment.method_id)
            for cash in self.cash_methods:
                if cash.id != payment.method_id:
                    self.method.addItem(cash.name, cash.id)
            self.cash_out.setText(_("The patient paid by {method}: pay the refund out in "
                                    "cash").format(method=payment.method_name))
            if payment.doctor_id is not None:
                select_data(self.doctor, payment.doctor_id)
        self.method.blockSignals(False)
        self.show_item()
        self.show_method()

    def show_item(self) -> None:
        item = self.chosen_item()
        if item is not None:
            self.amount.setText(format_plain(self.most(), self.currency))
            if item.doctor_id is not None:
                select_data(self.doctor, item.doctor_id)
        self.maximum.setText(_("At most {amount}").format(amount=self.money(self.most())))
        self.show_balance_after()

    def show_method(self) -> None:
        payment = self.chosen_payment()
        other = payment is not None and self.method.currentData() != payment.method_id
        needs_confirmation = other and payment is not None and \
            payment.method_kind != PaymentKind.CASH
        self.cash_out.setVisible(needs_confirmation)
        if not needs_confirmation:
            self.cash_out.setChecked(False)

    def show_balance_after(self) -> None:
        """An item refund takes the item off too; an amount is owed again (or comes off
        money on account)."""
        try:
            amount = parse_amount(self.amount.text(), self.currency)
        except AmountError:
            amount = 0
        after = self.balance + (0 if self.chosen_item() else amount)
        if after > 0:
            text = _("After the refund the patient owes {amount}.")
        elif after < 0:
            text = _("After the refund the patient has {amount} on account.")
        else:
            text = _("After the refund the patient owes nothing.")
        self.balance_after.setText(text.format(amount=self.money(abs(after))))

    # --- recording --------------------------------------------------------------------------

    def request(self) -> RefundRequest:
        payment, item = self.chosen_payment(), self.chosen_item()
        return RefundRequest(
            patient_id=self.patient_id, payment_id=payment.payment_id if payment else None,
            amount_text=self.amount.text(), reason_id=self.reason.currentData(),
            reason_detail=self.detail.toPlainText(), doctor_id=self.doctor.currentData(),
            receiver_name=self.receiver.text(), opinion=self.opinion.text(),
            idempotency_key=self.key, charge_id=item.charge_id if item else None,
            method_id=self.method.currentData(), cash_out_confirmed=self.cash_out.isChecked())

    def submit(self) -> None:
        request = self.request()
        checked = check_refund(self.desk, self.actor, request)
        what = _("refund of {amount} to {patient}").format(
            amount=self.money(checked.amount), patient=self.patient.name)
        approval = ask_approval(self.desk, what, self)
        if approval is None:
            raise NotApproved(_("The manager did not approve: nothing was refunded."))
        recorded = record_refund(self.desk, self.actor, request, approval)
        self.refund_id = recorded.refund_id
        show_slip(self.parentWidget() or self, self.desk, self.actor, recorded.refund_id,
                  self.paper.currentData())
