"""Handover (交接): the receiver, a manager, accepts the close by typing their own login at
this PC; the cashier who closed cannot accept their own close."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

from clinic_desk.i18n import format_date, gettext as _
from clinic_desk.money import format_money
from clinic_desk.services.auth import log_in
from clinic_desk.services.context import Desk
from clinic_desk.services.day_close import accept_handover
from clinic_desk.services.reconciliation import ClosingRecord
from clinic_desk.ui.credentials import CredentialsDialog


class HandoverDialog(CredentialsDialog):
    def __init__(self, desk: Desk, closing: ClosingRecord, currency: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(_("Hand over the day"), QLabel(_(
            "A manager other than the cashier accepts closing {number} of {day} from "
            "{cashier}, {cash} in cash, with their own login.").format(
                number=closing.number, day=format_date(closing.business_date),
                cashier=closing.closed_by,
                cash=format_money(closing.cash_handed_over, currency))),
            _("Receiver's user name"), _("Accept"), parent)
        self.desk, self.closing = desk, closing

    def check(self) -> None:
        receiver = log_in(self.desk, self.username.text(), self.password.text())
        accept_handover(self.desk, receiver, self.closing.closing_id)
