"""A user name and password asked for on the spot: logging in, or a manager's approval."""

from __future__ import annotations

from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit,
                               QVBoxLayout, QWidget)

from clinic_desk.i18n import gettext as _
from clinic_desk.services.errors import DomainError


class CredentialsDialog(QDialog):
    """Subclasses implement `check()`, calling the service; its error shows in the dialog."""

    def __init__(self, title: str, heading: QLabel, username_label: str, ok_text: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        layout = QVBoxLayout(self)
        heading.setWordWrap(True)
        layout.addWidget(heading)
        form = QFormLayout()
        self.username = QLineEdit(objectName="username")
        self.password = QLineEdit(objectName="password", echoMode=QLineEdit.EchoMode.Password)
        form.addRow(username_label, self.username)
        form.addRow(_("Password"), self.password)
        layout.addLayout(form)
        self.message = QLabel(objectName="message")
        self.message.setProperty("role", "field-error")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(ok_text)
        buttons.accepted.connect(self.try_accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.setMinimumWidth(400)

    def check(self) -> None:
        raise NotImplementedError

    def try_accept(self) -> None:
        try:
            self.check()
        except DomainError as error:
            self.message.setText(error.message)
            self.password.clear()
            self.password.setFocus()
            return
        self.accept()
