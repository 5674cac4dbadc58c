"""The login window, with the lockout message after too many wrong passwords."""

from __future__ import annotations

from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit,
                               QVBoxLayout, QWidget)

from clinic_desk.i18n import gettext as _
from clinic_desk.services.auth import log_in
from clinic_desk.services.context import Actor, Desk
from clinic_desk.services.errors import AccountLocked, AuthenticationFailed


class LoginDialog(QDialog):
    def __init__(self, desk: Desk, clinic_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.actor: Actor | None = None
        self.setWindowTitle(_("Log in · {clinic}").format(clinic=clinic_name))
        layout = QVBoxLayout(self)
        title = QLabel(clinic_name)
        title.setProperty("role", "title")
        layout.addWidget(title)
        form = QFormLayout()
        self.username = QLineEdit(objectName="username")
        self.password = QLineEdit(objectName="password", echoMode=QLineEdit.EchoMode.Password)
        form.addRow(_("User name"), self.username)
        form.addRow(_("Password"), self.password)
        layout.addLayout(form)
        self.message = QLabel(objectName="message")
        self.message.setProperty("role", "field-error")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("Log in"))
        buttons.accepted.connect(self.try_login)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.setMinimumWidth(380)

    def try_login(self) -> None:
        try:
            self.actor = log_in(self.desk, self.username.text(), self.password.text())
        except (AuthenticationFailed, AccountLocked) as error:
            self.message.setText(error.message)
            self.password.clear()
            self.password.setFocus()
            return
        self.accept()
