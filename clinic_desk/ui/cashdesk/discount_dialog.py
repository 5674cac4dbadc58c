"""A discount on a visit, as a percentage or an amount, with its reason. Above the clinic's
limit the service asks for a manager, who approves on the spot at this PC."""

from __future__ import annotations

from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QLineEdit, QRadioButton, QSpinBox, QWidget

from clinic_desk.i18n import gettext as _
from clinic_desk.services.auth import Approval
from clinic_desk.services.cashdesk import ApprovalNeeded, add_discount
from clinic_desk.services.context import Actor, Desk
from clinic_desk.ui.approval import ask_approval
from clinic_desk.ui.form_dialog import FormDialog


class DiscountDialog(FormDialog):
    def __init__(self, desk: Desk, actor: Actor, visit_id: int, patient_name: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(_("Discount"), parent)
        self.desk, self.actor, self.visit_id = desk, actor, visit_id
        self.patient_name = patient_name
        self.approval: Approval | None = None
        self.by_percent = QRadioButton(_("Percentage"), objectName="by_percent")
        self.by_amount = QRadioButton(_("Amount"), objectName="by_amount")
        self.by_percent.setChecked(True)
        kinds = QButtonGroup(self)
        kinds.addButton(self.by_percent)
        kinds.addButton(self.by_amount)
        choice = QWidget()
        row = QHBoxLayout(choice)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.by_percent)
        row.addWidget(self.by_amount)
        row.addStretch()
        self.percent = QSpinBox(objectName="percent", minimum=0, maximum=100, suffix=" %")
        self.amount = QLineEdit(objectName="amount")
        self.reason = QLineEdit(objectName="reason")
        self.form.addRow(_("Discount as"), choice)
        self.add_row(_("Percentage of what the visit owes"), "percent", self.percent)
        self.add_row(_("Amount"), "amount", self.amount)
        self.add_row(_("Reason"), "reason", self.reason)
        self.finish_layout()
        self.by_percent.toggled.connect(self.show_kind)
        self.show_kind()

    def show_kind(self) -> None:
        by_percent = self.by_percent.isChecked()
        self.percent.setEnabled(by_percent)
        self.amount.setEnabled(not by_percent)
        (self.percent if by_percent else self.amount).setFocus()

    def _add(self) -> int:
        return add_discount(
            self.desk, self.actor, self.visit_id,
            percent=self.percent.value() if self.by_percent.isChecked() else None,
            amount_text="" if self.by_percent.isChecked() else self.amount.text(),
            reason=self.reason.text(), approval=self.approval)

    def submit(self) -> None:
        try:
            self._add()
        except ApprovalNeeded as needed:
            what = _("a discount for {patient} ({reason})").format(
                patient=self.patient_name, reason=self.reason.text().strip())
            self.approval = ask_approval(self.desk, what, self)
            if self.approval is None:
                raise needed from None
            self._add()
