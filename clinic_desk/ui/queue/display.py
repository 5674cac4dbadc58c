"""The waiting-room display: a full-screen window for a second monitor or TV showing who
is called to which room and who comes next, with names partly hidden for privacy."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QScreen
from PySide6.QtWidgets import QApplication, QGridLayout, QLabel, QVBoxLayout, QWidget

from clinic_desk.config import WorkstationConfig, load_config, save_config
from clinic_desk.i18n import gettext as _
from clinic_desk.models import QueueState
from clinic_desk.services import queue
from clinic_desk.services.context import Desk
from clinic_desk.services.privacy import DisplayName, public_name
from clinic_desk.services.queue import QueueSnapshot
from clinic_desk.services.settings import get_settings
from clinic_desk.ui.live import ChangeWatcher

CALLED_SHOWN = 4
NEXT_SHOWN = 6
STYLE = """
WaitingRoomDisplay { background-color: #0b1d2e; }
QLabel { color: white; }
QLabel#heading { color: #ffd54f; font-size: 30pt; font-weight: 700; }
QLabel[kind="called"] { font-size: 44pt; font-weight: 700; }
QLabel[kind="room"] { font-size: 44pt; font-weight: 700; color: #80d8ff; }
QLabel[kind="next"] { font-size: 28pt; }
"""


def choose_screen(screens: list[QScreen], remembered: str) -> QScreen | None:
    """The screen it was last on; else a second screen (the TV); else the only one."""
    for screen in screens:
        if screen.name() == remembered:
            return screen
    if len(screens) > 1:
        primary = QGuiApplication.primaryScreen()
        return next((s for s in screens if s is not primary), screens[0])
    return screens[0] if screens else None


class WaitingRoomDisplay(QWidget):
    def __init__(self, desk: Desk, watcher: ChangeWatcher,
                 config: WorkstationConfig | None = None) -> None:
        super().__init__(None, Qt.WindowType.Window)
        self.desk = desk
        self.config = config or load_config()
        self.setWindowTitle(_("Waiting-room display"))
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(STYLE)
        self.mode = DisplayName(get_settings(desk).display_name_mode)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(40, 30, 40, 30)
        called_heading = QLabel(_("Please come in"), objectName="heading")
        self.called = QGridLayout()
        next_heading = QLabel(_("Next"), objectName="heading")
        self.next = QVBoxLayout()
        layout.addWidget(called_heading)
        layout.addLayout(self.called)
        layout.addSpacing(30)
        layout.addWidget(next_heading)
        layout.addLayout(self.next)
        layout.addStretch()
        self.last_called: set[int] | None = None
        self.called_texts: list[tuple[str, str]] = []
        self.next_texts: list[str] = []
        self.watcher = watcher
        watcher.changed.connect(lambda _stamp: self.refresh())
        self.refresh()

    def show_on_screen(self) -> None:
        """Full screen on the remembered screen (or the second one)."""
        screen = choose_screen(QGuiApplication.screens(), self.config.display_screen)
        if screen is not None:
            self.setScreen(screen)
            self.setGeometry(screen.geometry())
            self.config.display_screen = screen.name()
            save_config(self.config)
        self.showFullScreen()

    def refresh(self) -> None:
        snapshot = queue.queue_snapshot(self.desk)
        self.render(snapshot)

    def render(self, snapshot: QueueSnapshot) -> None:
        called = sorted((r for r in snapshot.rows if r.state == QueueState.CALLED),
                        key=lambda r: r.called_at or r.entered_at, reverse=True)[:CALLED_SHOWN]
        waiting = [r for r in snapshot.rows if r.state == QueueState.WAITING]
        waiting.sort(key=lambda r: (r.expected_wait_minutes or 0, r.position))
        self.called_texts = [(public_name(r.patient_name, self.mode, r.ticket),
                              r.room_name or r.doctor_name) for r in called]
        self.next_texts = [public_name(r.patient_name, self.mode, r.ticket)
                           for r in waiting[:NEXT_SHOWN]]
        _clear(self.called)
        for line, (name, room) in enumerate(self.called_texts):
            for column, (text, kind) in enumerate(((name, "called"), (room, "room"))):
                label = QLabel(text)
                label.setProperty("kind", kind)
                self.called.addWidget(label, line, column)
        _clear(self.next)
        for name in self.next_texts:
            label = QLabel(name)
            label.setProperty("kind", "next")
            self.next.addWidget(label)
        now_called = {r.entry_id for r in called}
        if self.last_called is not None and now_called - self.last_called:
            QApplication.beep()  # the chime: a new name is on the screen
        self.last_called = now_called


def _clear(layout: QGridLayout | QVBoxLayout) -> None:
    while layout.count():
        item = layout.takeAt(0)
        widget = item.widget() if item is not None else None
        if widget is not None:
            widget.deleteLater()
