"""Re-opening a closed day: a manager gives the reason; when the user at the desk is not a
manager, one approves on the spot. The closing stays on record beside the next one."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QPlainTextEdit, QWidget

from clinic_desk.i18n import format_date, gettext as _
from clinic_desk.services.auth import Approval
from clinic_desk.services.cashdesk import ApprovalNeeded
from clinic_desk.services.context import Actor, Desk
from clinic_desk.services.day_close import reopen_day
from clinic_desk.services.reconciliation import ClosingRecord
from clinic_desk.ui.approval import ask_approval
from clinic_desk.ui.form_dialog import FormDialog


class ReopenDialog(FormDialog):
    def __init__(self, desk: Desk, actor: Actor, closing: ClosingRecord,
                 parent: QWidget | None = None) -> None:
        super().__init__(_("Re-open the day"), parent)
        self.desk, self.actor, self.closing = desk, actor, closing
        self.approval: Approval | None = None
        about = QLabel(_("Closing {number} of {day} stays on record; the day is open for "
                         "posting again until it is closed anew.").format(
            number=closing.number, day=format_date(closing.business_date)))
        about.setWordWrap(True)
        self.form.addRow(about)
        self.reason = QPlainTextEdit(objectName="reason")
        self.reason.setMaximumHeight(90)
        self.add_row(_("Reason"), "reason", self.reason)
        self.buttons.button(self.buttons.StandardButton.Ok).setText(_("Re-open"))
        self.finish_layout()

    def _reopen(self) -> None:
        reopen_day(self.desk, self.actor, self.closing.closing_id, self.reason.toPlainText(),
                   self.approval)

    def submit(self) -> None:
        try:
            self._reopen()
        except ApprovalNeeded as needed:
            self.approval = ask_approval(self.desk, _("re-opening {day}").format(
                day=format_date(self.closing.business_date)), self)
            if self.approval is None:
                raise needed from None
            self._reopen()
