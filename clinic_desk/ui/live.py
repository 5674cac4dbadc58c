"""One app-wide signal that the clinic's data changed, on this PC or on another.

Every recorded change moves the audit chain's head; polling that one number is cheap, so
screens reload only when something really changed, within a second or two, whichever PC
made the change.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from clinic_desk.services.context import Desk
from clinic_desk.services.queue import change_stamp

POLL_MS = 1000


class ChangeWatcher(QObject):
    changed = Signal(int)

    def __init__(self, desk: Desk, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.stamp = change_stamp(desk)
        self.timer = QTimer(self, interval=POLL_MS)
        self.timer.timeout.connect(self.poll)
        self.timer.start()

    def poll(self) -> None:
        stamp = change_stamp(self.desk)
        if stamp != self.stamp:
            self.stamp = stamp
            self.changed.emit(stamp)
