"""Taking a payment: one or several methods at once (cash with change, a bank card with its
type and last 4 digits, WeChat Pay, Alipay, the clinic's own methods with a reference), for
all that is due or part of it; or a deposit kept on the patient's account.

The dialog makes its idempotency key once, when it opens: a double click, or trying again
after an error or a crash of the connection, posts the payment at most once.
"""

from __future__ import annotations

import uuid
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QGridLayout, QLabel,
                               QLineEdit, QPushButton, QToolButton, QVBoxLayout, QWidget)

from clinic_desk.i18n import N_, gettext as _
from clinic_desk.models import PaymentKind
from clinic_desk.money import AmountError, format_money, format_plain, parse_amount
from clinic_desk.services.cashdesk import (PaymentPart, PaymentRequest, PostedPayment,
                                           ReferenceAlreadyUsed, post_payment)
from clinic_desk.services.catalog import PaymentMethodRow, list_payment_methods
from clinic_desk.services.context import Actor, Desk
from clinic_desk.ui import messages
from clinic_desk.ui.field_errors import FieldErrors
from clinic_desk.ui.widgets import data_combo

#: Offered in the card-type box; the cashier may type any other.
CARD_TYPES = (N_("UnionPay debit"), N_("UnionPay credit"), N_("Visa credit"),
              N_("Mastercard credit"))


class PaymentPartRow(QWidget):
    """One method and its amount, with the fields that method needs; each field has its
    message label under it."""

    changed = Signal()
    remove_requested = Signal(object)

    def __init__(self, methods: list[PaymentMethodRow], currency: str,
                 removable: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.methods = {m.id: m for m in methods}
        self.currency = currency
        self.method = data_combo((m.name, m.id) for m in methods)
        self.amount = QLineEdit(objectName="amount")
        self.tendered = QLineEdit(objectName="tendered")
        self.change = QLabel(objectName="change")
        self.change.setMinimumWidth(110)
        self.method.setMinimumWidth(120)
        self.card_type = QComboBox(objectName="card_type", editable=True)
        self.card_type.addItems([_(text) for text in CARD_TYPES])
        self.card_type.setCurrentText("")
        self.card_last4 = QLineEdit(objectName="card_last4", maxLength=4)
        self.card_last4.setPlaceholderText("0000")
        self.reference = QLineEdit(objectName="reference")
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.errors: dict[str, QLabel] = {}
        self.cells: dict[str, list[QWidget]] = {}
        for column, (name, caption, widget) in enumerate((
                ("method", _("Method"), self.method), ("amount", _("Amount"), self.amount),
                ("tendered", _("Cash handed over"), self.tendered),
                ("change", _("Change"), self.change),
                ("card_type", _("Card type"), self.card_type),
                ("card_last4", _("Last 4 digits"), self.card_last4),
                ("reference", _("Reference no."), self.reference))):
            title = QLabel(caption)
            title.setProperty("role", "hint")
            error = QLabel(objectName=f"error_{name}")
            error.setWordWrap(True)
            self.grid.addWidget(title, 0, column)
            self.grid.addWidget(widget, 1, column)
            self.grid.addWidget(error, 2, column, Qt.AlignmentFlag.AlignTop)
            self.errors[name] = error
            self.cells[name] = [title, widget, error]
        self.grid.setColumnStretch(6, 1)
        self.remove = QToolButton(objectName="remove", text="×")
        self.remove.setToolTip(_("Remove this method"))
        self.remove.setVisible(removable)
        self.remove.clicked.connect(lambda: self.remove_requested.emit(self))
        self.grid.addWidget(self.remove, 1, 7)
        self.method.currentIndexChanged.connect(self.show_fields)
        for edit in (self.amount, self.tendered):
            edit.textChanged.connect(self.changed)
        self.changed.connect(self.show_change)
        self.show_fields()

    @property
    def chosen(self) -> PaymentMethodRow:
        return self.methods[self.method.currentData()]

    def show_fields(self) -> None:
        method = self.chosen
        cash = method.kind == PaymentKind.CASH
        shown = {"tendered": cash, "change": cash, "card_type": method.needs_card_digits,
                 "card_last4": method.needs_card_digits, "reference": not cash}
        for name, visible in shown.items():
            for widget in self.cells[name]:
                widget.setVisible(visible)
        self.reference.setPlaceholderText(_("required") if method.needs_reference else "")
        self.show_change()

    def _amount(self, edit: QLineEdit) -> int | None:
        try:
            return parse_amount(edit.text(), self.currency)
        except AmountError:
            return None

    def paid(self) -> int:
        """What this line pays as typed (0 while it cannot be read): for the summary only,
        the service checks the real thing."""
        return self._amount(self.amount) or 0

    def show_change(self) -> None:
        amount, tendered = self._amount(self.amount), self._amount(self.tendered)
        self.change.setText(format_money(tendered - amount, self.currency)
                            if amount is not None and tendered is not None
                            and tendered >= amount else "")

    def part(self) -> PaymentPart:
        method = self.chosen
        cash = method.kind == PaymentKind.CASH
        return PaymentPart(
            method_id=method.id, amount_text=self.amount.text(),
            tendered_text=self.tendered.text() if cash else "",
            card_type=self.card_type.currentText() if method.needs_card_digits else "",
            card_last4=self.card_last4.text() if method.needs_card_digits else "",
            reference="" if cash else self.reference.text())

    def register(self, errors: FieldErrors, index: int) -> None:
        widgets = {"method": self.method, "amount": self.amount, "tendered": self.tendered,
                   "card_type": self.card_type, "card_last4": self.card_last4,
                   "reference": self.reference}
        for name, widget in widgets.items():
            errors.register(f"parts.{index}.{name}", widget, self.errors[name])


class PaymentDialog(QDialog):
    def __init__(self, desk: Desk, actor: Actor, patient_id: int, visit_id: int | None,
                 due: int, currency: str, *, deposit: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor = desk, actor
        self.patient_id, self.visit_id, self.due = patient_id, visit_id, due
        self.currency, self.deposit = currency, deposit
        self.key = uuid.uuid4().hex  # once per dialog: every retry posts the same payment
        self.posted: PostedPayment | None = None
        self.accept_reused_reference = False
        self.methods = [m for m in list_payment_methods(desk)
                        if m.active and m.kind != PaymentKind.DEPOSIT]
        self.setWindowTitle(_("Take a deposit") if deposit else _("Take payment"))
        layout = QVBoxLayout(self)
        heading = QLabel(objectName="heading")
        heading.setProperty("role", "title")
        heading.setText(_("Deposit kept on the patient's account") if deposit else
                        _("Due now: {amount}").format(amount=format_money(due, currency)))
        layout.addWidget(heading)
        self.rows_layout = QVBoxLayout()
        layout.addLayout(self.rows_layout)
        self.rows: list[PaymentPartRow] = []
        add = QPushButton(_("Add another method"), objectName="add_method")
        add.clicked.connect(lambda: self.add_row())
        layout.addWidget(add, 0, Qt.AlignmentFlag.AlignLeft)
        self.summary = QLabel(objectName="summary")
        layout.addWidget(self.summary)
        self.general_error = QLabel(objectName="general_error")
        layout.addWidget(self.general_error)
        self.errors = FieldErrors(self.general_error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.post_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.post_button.setText(_("Post deposit") if deposit else _("Post payment"))
        self.buttons.accepted.connect(self.try_post)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.add_row(format_plain(due, currency) if due > 0 and not deposit else "")
        self.setMinimumWidth(760)

    def add_row(self, amount: str = "") -> PaymentPartRow:
        row = PaymentPartRow(self.methods, self.currency, removable=bool(self.rows), parent=self)
        row.amount.setText(amount)
        row.changed.connect(self.show_summary)
        row.remove_requested.connect(self.remove_row)
        self.rows.append(row)
        self.rows_layout.addWidget(row)
        row.show()  # a layout shows a new child of a visible dialog only later
        self._register()
        self.show_summary()
        (row.method if len(self.rows) > 1 else row.amount).setFocus()
        return row

    def remove_row(self, row: PaymentPartRow) -> None:
        self.rows.remove(row)
        row.deleteLater()
        self._register()
        self.show_summary()

    def _register(self) -> None:
        """Field names carry the line's position, so they are given again when lines go."""
        self.errors = FieldErrors(self.general_error)
        for index, row in enumerate(self.rows):
            row.register(self.errors, index)

    def show_summary(self) -> None:
        paid = sum(row.paid() for row in self.rows)

        def money(minor: int) -> str:
            return format_money(minor, self.currency)

        after = self.due - paid
        if after > 0:
            rest = _("balance after: {amount}").format(amount=money(after))
        elif after < 0:
            rest = _("on account after: {amount}").format(amount=money(-after))
        else:
            rest = _("nothing left to pay")
        self.summary.setText(_("Paying now {paid}, {rest}.").format(paid=money(paid), rest=rest))

    def request(self) -> PaymentRequest:
        return PaymentRequest(patient_id=self.patient_id, visit_id=self.visit_id,
                              parts=tuple(row.part() for row in self.rows),
                              idempotency_key=self.key, deposit=self.deposit,
                              accept_reused_reference=self.accept_reused_reference)

    def _post(self) -> None:
        try:
            self.posted = post_payment(self.desk, self.actor, self.request())
        except ReferenceAlreadyUsed as warning:
            if not messages.confirm(self, _("Reference used before"), warning.message + "\n"
                                    + _("Post this payment all the same?")):
                raise
            self.accept_reused_reference = True
            self.posted = post_payment(self.desk, self.actor, self.request())

    def try_post(self) -> None:
        if self.posted is not None:  # a second click while the first one was being handled
            return
        if self.errors.run(self._post):
            self.accept()
        else:
            self.adjustSize()  # room for the messages under the fields
