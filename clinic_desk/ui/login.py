"""The login window, with the lockout message after too many wrong passwords."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

from clinic_desk.i18n import gettext as _
from clinic_desk.services.auth import log_in
from clinic_desk.services.context import Actor, Desk
from clinic_desk.ui.credentials import CredentialsDialog


class LoginDialog(CredentialsDialog):
    def __init__(self, desk: Desk, clinic_name: str, parent: QWidget | None = None) -> None:
        title = QLabel(clinic_name)
        title.setProperty("role", "title")
        super().__init__(_("Log in · {clinic}").format(clinic=clinic_name), title,
                         _("User name"), _("Log in"), parent)
        self.desk = desk
        self.actor: Actor | None = None

    def check(self) -> None:
        self.actor = log_in(self.desk, self.username.text(), self.password.text())
