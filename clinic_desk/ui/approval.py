"""The supervisor's on-the-spot approval: a manager types their own login at this PC.

Refunds, corrections, large discounts and re-opening a day call `ask_approval`, which
returns who approved (or None when cancelled); the service records that name.
"""

from __future__ import annotations

from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit,
                               QVBoxLayout, QWidget)

from clinic_desk.i18n import gettext as _
from clinic_desk.services.auth import Approval, approve
from clinic_desk.services.context import Desk
from clinic_desk.services.errors import DomainError


class ApprovalDialog(QDialog):
    def __init__(self, desk: Desk, what: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.approval: Approval | None = None
        self.setWindowTitle(_("Manager approval"))
        layout = QVBoxLayout(self)
        explanation = QLabel(_("A manager approves: {what}").format(what=what))
        explanation.setWordWrap(True)
        layout.addWidget(explanation)
        form = QFormLayout()
        self.username = QLineEdit(objectName="approver_username")
        self.password = QLineEdit(objectName="approver_password",
                                  echoMode=QLineEdit.EchoMode.Password)
        form.addRow(_("Manager's user name"), self.username)
        form.addRow(_("Password"), self.password)
        layout.addLayout(form)
        self.message = QLabel(objectName="message")
        self.message.setProperty("role", "field-error")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("Approve"))
        buttons.accepted.connect(self.try_approve)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.setMinimumWidth(400)

    def try_approve(self) -> None:
        try:
            self.approval = approve(self.desk, self.username.text(), self.password.text())
        except DomainError as error:
            self.message.setText(error.message)
            self.password.clear()
            return
        self.accept()


def ask_approval(desk: Desk, what: str, parent: QWidget | None = None) -> Approval | None:
    dialog = ApprovalDialog(desk, what, parent)
    return dialog.approval if dialog.exec() else None
