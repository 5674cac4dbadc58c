"""A bar over the workspaces that tells the manager of emergencies and complaints at once.

It polls the database (cheaply, unread rows only), so a notification raised on another PC
shows here within seconds without anyone refreshing a screen.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QHBoxLayout, QLabel, QPushButton, QWidget

from clinic_desk.i18n import gettext as _, ngettext
from clinic_desk.models import NotificationKind
from clinic_desk.services.context import Actor, Desk
from clinic_desk.services.notifications import NotificationRow, mark_seen, unread_notifications

POLL_MS = 3000
COLOURS = {NotificationKind.EMERGENCY: "#c62828", NotificationKind.COMPLAINT: "#ef6c00",
           NotificationKind.WAIT_ALERT: "#f9a825"}


class NotificationBar(QWidget):
    def __init__(self, desk: Desk, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor = desk, actor
        self.current: NotificationRow | None = None
        self._announced: set[int] = set()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        self.message = QLabel(objectName="notification")
        self.message.setWordWrap(True)
        self.more = QLabel()
        self.seen_button = QPushButton(_("Seen"), objectName="seen")
        self.seen_button.clicked.connect(self.mark_current_seen)
        layout.addWidget(self.message, 1)
        layout.addWidget(self.more)
        layout.addWidget(self.seen_button)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.timer = QTimer(self, interval=POLL_MS)
        self.timer.timeout.connect(self.refresh)
        self.timer.start()
        self.refresh()

    def refresh(self) -> None:
        unread = unread_notifications(self.desk, self.actor)
        self.current = unread[0] if unread else None
        self.setVisible(self.current is not None)
        if self.current is None:
            return
        if any(n.id not in self._announced for n in unread):
            QApplication.beep()
            self._announced.update(n.id for n in unread)
        colour = COLOURS.get(self.current.kind, "#c62828")
        self.setStyleSheet(f"NotificationBar {{ background-color: {colour}; }} "
                           "QLabel { color: white; font-weight: 600; }")
        self.message.setText(self.current.message)
        others = len(unread) - 1
        self.more.setText(ngettext("and {count} more", "and {count} more", others).format(
            count=others) if others else "")

    def mark_current_seen(self) -> None:
        if self.current is not None:
            mark_seen(self.desk, self.actor, self.current.id)
        self.refresh()
