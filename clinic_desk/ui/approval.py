"""The supervisor's on-the-spot approval: a manager types their own login at this PC.

Refunds, corrections, large discounts and re-opening a day call `ask_approval`, which
returns who approved (or None when cancelled); the service records that name.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

from clinic_desk.i18n import gettext as _
from clinic_desk.services.auth import Approval, approve
from clinic_desk.services.context import Desk
from clinic_desk.ui.credentials import CredentialsDialog


class ApprovalDialog(CredentialsDialog):
    def __init__(self, desk: Desk, what: str, parent: QWidget | None = None) -> None:
        super().__init__(_("Manager approval"), QLabel(_("A manager approves: {what}").format(
            what=what)), _("Manager's user name"), _("Approve"), parent)
        self.desk = desk
        self.approval: Approval | None = None

    def check(self) -> None:
        self.approval = approve(self.desk, self.username.text(), self.password.text())


def ask_approval(desk: Desk, what: str, parent: QWidget | None = None) -> Approval | None:
    dialog = ApprovalDialog(desk, what, parent)
    return dialog.approval if dialog.exec() else None
