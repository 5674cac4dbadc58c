"""Fixtures shared by the workspace tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QApplication

from clinic_desk.services.context import Desk
from clinic_desk.ui import messages
from clinic_desk.ui.live import ChangeWatcher


@pytest.fixture
def watchers() -> Iterator[Callable[[Desk], ChangeWatcher]]:
    """Change watchers that stop polling when the test ends (its database goes away)."""
    made: list[ChangeWatcher] = []

    def make(desk: Desk) -> ChangeWatcher:
        made.append(ChangeWatcher(desk))
        return made[-1]
    yield make
    for watcher in made:
        watcher.timer.stop()


@pytest.fixture
def notices() -> Iterator[list[str]]:
    """Messages shown in a box, collected instead of shown."""
    seen: list[str] = []
    messages.notice_hook = lambda _title, text: seen.append(text)
    yield seen
    messages.notice_hook = None


@pytest.fixture(autouse=True)
def no_window_left_open(qapp: QApplication) -> Iterator[None]:
    """Each test starts without the windows earlier ones left open (previews and registers
    are modeless): restyling or translating the application reaches every live window."""
    yield
    for widget in QApplication.topLevelWidgets():
        widget.close()
        widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
